// The default detector over the NAB corpus kept beside the repository
// (../shared/datasets/nab): the score the issue asks for, from the real data and the
// project's own scorer.
#include <gtest/gtest.h>

#include <filesystem>

#include "nab_corpus.h"
#include "temp_dir.h"

namespace kubeheal::detect_cli {
namespace {

namespace fs = std::filesystem;

TEST(NabCorpusIntegrationTest, DefaultDetectorScoresAtLeast50OnTheStandardProfile) {
  const fs::path data = fs::path(KUBEHEAL_SOURCE_DIR) / ".." / "shared" / "datasets" / "nab";
  ASSERT_TRUE(fs::is_directory(data / "data") &&
              fs::exists(data / "labels" / "combined_windows.json"))
      << "NAB dataset not found at " << data.lexically_normal()
      << " (expected DIR/data/<category>/*.csv and DIR/labels/combined_windows.json)";
  testing::TempDir results;
  int files = 0;
  Status ran = RunNab(data.string(), "default", {}, results.path(),
                      [&files](const std::string&) { ++files; });
  ASSERT_TRUE(ran.ok()) << ran.error().message;
  auto scored = ScoreNab(data.string(), results.path(), "default");
  ASSERT_TRUE(scored.ok()) << scored.error().message;
  ASSERT_FALSE(scored->empty());
  for (const NabResult& r : *scored) {
    std::printf("NAB %-20s %6.2f (threshold %.4f, %d files)\n", r.profile.c_str(),
                r.normalized_score, r.threshold, files);
  }
  EXPECT_EQ(scored->front().profile, "standard");
  EXPECT_GE(scored->front().normalized_score, 50.0);
}

}  // namespace
}  // namespace kubeheal::detect_cli
