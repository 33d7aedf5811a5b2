// The default detector over the NAB subset carried in the repository (tests/data/nab): the
// standard-profile score the detectors must reach, from the real data and the project's own
// scorer. A second corpus in the same layout, given by KUBEHEAL_NAB_DIR, is scored as well.
#include <cstdlib>
#include <filesystem>
#include <string>

#include <gtest/gtest.h>

#include "nab_corpus.h"
#include "temp_dir.h"

namespace kubeheal::detect_cli {
namespace {

namespace fs = std::filesystem;

// Runs and scores the default detector over the corpus at `data`; returns its standard score.
void ScoreDefaultDetector(const fs::path& data, double* standard) {
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
  EXPECT_GT(files, 0);
  for (const NabResult& r : *scored) {
    std::printf("NAB %s: %-20s %6.2f (threshold %.4f, %d files)\n", data.lexically_normal().c_str(),
                r.profile.c_str(), r.normalized_score, r.threshold, files);
  }
  ASSERT_EQ(scored->front().profile, "standard");
  *standard = scored->front().normalized_score;
}

TEST(NabCorpusIntegrationTest, DefaultDetectorScoresAtLeast50OnTheStandardProfile) {
  double standard = -1;
  ScoreDefaultDetector(fs::path(KUBEHEAL_SOURCE_DIR) / "tests" / "data" / "nab", &standard);
  EXPECT_GE(standard, 50.0);
}

// KUBEHEAL_NAB_DIR names another corpus (the full NAB checkout, say); without it there is
// nothing more to score, and the test says so instead of passing silently.
TEST(NabCorpusIntegrationTest, CorpusOfKubehealNabDirScoresToo) {
  const char* extra = std::getenv("KUBEHEAL_NAB_DIR");
  if (extra == nullptr || *extra == '\0') GTEST_SKIP() << "KUBEHEAL_NAB_DIR not set";
  double standard = -1;
  ScoreDefaultDetector(fs::path(extra), &standard);
  EXPECT_GE(standard, 0.0) << "a scored corpus gives a normalised score";
}

}  // namespace
}  // namespace kubeheal::detect_cli
