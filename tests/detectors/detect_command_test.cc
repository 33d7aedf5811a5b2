#include "detect_command.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "temp_dir.h"

namespace kubeheal::detect_cli {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

struct Outcome {
  int code;
  std::string out, err;
};

Outcome RunTool(std::vector<std::string> args) {
  std::ostringstream out, err;
  int code = RunDetectCommand(args, out, err);
  return {code, out.str(), err.str()};
}

void Write(const std::string& path, const std::string& text) {
  fs::create_directories(fs::path(path).parent_path());
  std::ofstream(path) << text;
}

std::string Read(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

TEST(DetectCommandTest, ScoreAddsColumns) {
  TempDir dir;
  std::string input = dir.path() + "/in.csv", output = dir.path() + "/out.csv";
  std::string text = "timestamp,value\n";
  for (int i = 0; i < 30; ++i) text += std::to_string(i) + "," + std::to_string(i % 2) + "\n";
  text += "30,100\n";
  Write(input, text);
  Outcome o = RunTool({"score", "--detector", "zscore", "--set", "window=20", "--input", input,
                       "--output", output});
  ASSERT_EQ(o.code, 0) << o.err;
  std::istringstream lines(Read(output));
  std::string line, last;
  std::getline(lines, line);
  EXPECT_EQ(line, "timestamp,value,anomaly_score,low,high,severity");
  int rows = 0;
  while (std::getline(lines, line)) {
    ++rows;
    last = line;
  }
  EXPECT_EQ(rows, 31);
  EXPECT_EQ(last.rfind("30,100,0.99", 0), 0u) << last;
  EXPECT_EQ(last.substr(last.rfind(',') + 1), "critical");
}

TEST(DetectCommandTest, BadCsvNamesFileAndLine) {
  TempDir dir;
  std::string input = dir.path() + "/bad.csv";
  Write(input, "timestamp,value\n1,2\n2,oops\n");
  Outcome o =
      RunTool({"score", "--detector", "ewma", "--input", input, "--output", dir.path() + "/o.csv"});
  EXPECT_EQ(o.code, 1);
  EXPECT_NE(o.err.find(input + ":3: value 'oops' is not a number"), std::string::npos) << o.err;
}

TEST(DetectCommandTest, UsageErrors) {
  EXPECT_EQ(RunTool({}).code, 2);
  EXPECT_EQ(RunTool({"frobnicate"}).code, 2);
  Outcome missing = RunTool({"score", "--detector", "zscore"});
  EXPECT_EQ(missing.code, 2);
  EXPECT_NE(missing.err.find("missing flag --input"), std::string::npos);
  Outcome unknown = RunTool({"score", "--detector", "nope", "--input", "a", "--output", "b"});
  EXPECT_EQ(unknown.code, 2);
  EXPECT_NE(unknown.err.find("unknown detector 'nope'"), std::string::npos);
  Outcome bad_set = RunTool(
      {"score", "--detector", "zscore", "--set", "window", "--input", "a", "--output", "b"});
  EXPECT_NE(bad_set.err.find("--set needs key=value"), std::string::npos);
  EXPECT_EQ(RunTool({"--help"}).code, 0);
}

// A tiny corpus in the NAB layout: one file with a spike inside its window.
TEST(DetectCommandTest, NabThenNabScoreOnATinyCorpus) {
  TempDir dir;
  const std::string data = dir.path() + "/nab", results = dir.path() + "/results";
  std::string text = "timestamp,value\n";
  for (int i = 0; i < 400; ++i) {
    text +=
        std::to_string(1000 + 60 * i) + "," + (i == 300 ? "50" : std::to_string(10 + i % 3)) + "\n";
  }
  Write(data + "/data/cat/spiky.csv", text);
  Write(data + "/labels/combined_windows.json",
        R"({"cat/spiky.csv": [["1970-01-01 05:06:40", "1970-01-01 05:26:40"]]})");
  Outcome run = RunTool({"nab", "--data", data, "--detector", "zscore", "--results", results});
  ASSERT_EQ(run.code, 0) << run.err;
  EXPECT_NE(run.err.find("[1/1] cat/spiky.csv: 400 rows"), std::string::npos) << run.err;
  const std::string result_file = results + "/cat/zscore_spiky.csv";
  ASSERT_TRUE(fs::exists(result_file));
  EXPECT_EQ(Read(result_file).rfind("timestamp,value,anomaly_score\n1000,10,", 0), 0u);

  Outcome score =
      RunTool({"nab-score", "--data", data, "--results", results, "--detector", "zscore"});
  ASSERT_EQ(score.code, 0) << score.err;
  // The window spans rows 290..310 (t = 18400..19600 s); the spike at row 300 is detected.
  EXPECT_NE(score.out.find("windows detected 1/1"), std::string::npos) << score.out;
  EXPECT_NE(score.out.find("reward_low_FN_rate"), std::string::npos);
}

TEST(DetectCommandTest, NabScoreReportsMissingResults) {
  TempDir dir;
  const std::string data = dir.path() + "/nab";
  Write(data + "/data/cat/a.csv", "timestamp,value\n1,1\n");
  Write(data + "/labels/combined_windows.json", R"({"cat/a.csv": []})");
  Outcome o =
      RunTool({"nab-score", "--data", data, "--results", dir.path() + "/none", "--detector", "x"});
  EXPECT_EQ(o.code, 1);
  EXPECT_NE(o.err.find("x_a.csv: cannot open"), std::string::npos) << o.err;
}

}  // namespace
}  // namespace kubeheal::detect_cli
