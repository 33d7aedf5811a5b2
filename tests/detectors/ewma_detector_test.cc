#include "kubeheal/detectors/ewma_detector.h"

#include <gtest/gtest.h>

#include "detector_test_support.h"

namespace kubeheal::detectors {
namespace {

using testing::MustCreate;
using testing::NoiseSeries;

TEST(EwmaDetectorTest, MeanFollowsTheExponentialRecurrence) {
  EwmaDetector d({.alpha = 0.5, .sensitivity = 3, .min_points = 1, .max_gap_seconds = 0});
  d.Update(0, 10);
  EXPECT_DOUBLE_EQ(d.Update(1, 20).expected, 10.0);  // judged against the mean before it
  EXPECT_DOUBLE_EQ(d.Update(2, 20).expected, 15.0);
  EXPECT_DOUBLE_EQ(d.Update(3, 20).expected, 17.5);
}

TEST(EwmaDetectorTest, VarianceFollowsWestsIncrementalForm) {
  EwmaDetector d({.alpha = 0.5, .sensitivity = 1, .min_points = 1, .max_gap_seconds = 0});
  d.Update(0, 10);
  d.Update(1, 20);  // diff 10, mean 15, var = 0.5 * (0 + 10 * 5) = 25
  Assessment a = d.Update(2, 15);
  EXPECT_DOUBLE_EQ(a.expected, 15.0);
  EXPECT_DOUBLE_EQ(a.high, 20.0);
  EXPECT_DOUBLE_EQ(a.low, 10.0);
}

TEST(EwmaDetectorTest, LevelShiftIsAnomalousThenAbsorbed) {
  auto d = MustCreate("ewma", {{"alpha", "0.1"}, {"sensitivity", "5"}});
  NoiseSeries noise(50, 1);
  for (int i = 0; i < 200; ++i) ASSERT_FALSE(d->Update(i, noise.Next()).anomalous) << i;
  Assessment shift = d->Update(200, 60);
  EXPECT_TRUE(shift.anomalous);
  EXPECT_NE(shift.explanation.find("above the moving average"), std::string::npos);
  NoiseSeries shifted(60, 1, 11);
  for (int i = 201; i < 400; ++i) d->Update(i, shifted.Next());
  EXPECT_FALSE(d->Update(400, 60).anomalous);
}

TEST(EwmaDetectorTest, ConfidenceGrowsWithHistory) {
  auto d = MustCreate("ewma", {{"alpha", "0.1"}});
  d->Update(0, 1);
  const double early = d->Update(1, 1).confidence;
  for (int i = 2; i < 100; ++i) d->Update(i, 1);
  EXPECT_LT(early, 0.2);
  EXPECT_GT(d->Update(100, 1).confidence, 0.99);
}

}  // namespace
}  // namespace kubeheal::detectors
