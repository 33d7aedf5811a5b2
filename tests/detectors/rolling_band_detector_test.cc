#include "kubeheal/detectors/rolling_band_detector.h"

#include <cmath>

#include <gtest/gtest.h>

#include "detector_test_support.h"

namespace kubeheal::detectors {
namespace {

using testing::MustCreate;
using testing::NoiseSeries;

TEST(RollingBandDetectorTest, BandIsMeanPlusMinusKSigmaOfThePreviousPoints) {
  auto d = MustCreate("zscore", {{"window", "5"}, {"min_points", "5"}, {"sensitivity", "3"}});
  for (int i = 1; i <= 5; ++i) d->Update(i, i);
  Assessment a = d->Update(6, 3.0);
  const double sigma = std::sqrt(2.5);  // sample sd of 1..5
  EXPECT_DOUBLE_EQ(a.expected, 3.0);
  EXPECT_NEAR(a.low, 3.0 - 3 * sigma, 1e-12);
  EXPECT_NEAR(a.high, 3.0 + 3 * sigma, 1e-12);
  EXPECT_FALSE(a.anomalous);
  EXPECT_DOUBLE_EQ(a.confidence, 1.0);
}

TEST(RollingBandDetectorTest, SpikeIsAnomalousWithAReadableExplanation) {
  auto d = MustCreate("zscore", {{"window", "20"}});
  NoiseSeries noise(0.12, 0.01);
  for (int i = 0; i < 20; ++i) d->Update(i, noise.Next());
  Assessment a = d->Update(20, 0.84);
  EXPECT_TRUE(a.anomalous);
  EXPECT_EQ(a.severity, Severity::kCritical);
  EXPECT_GT(a.score, 0.9);
  EXPECT_NE(a.explanation.find("σ above the 20-point mean"), std::string::npos) << a.explanation;
  EXPECT_EQ(a.explanation.rfind("value 0.84 is ", 0), 0u) << a.explanation;
}

TEST(RollingBandDetectorTest, DropIsReportedAsBelow) {
  auto d = MustCreate("zscore");
  NoiseSeries noise(100, 1);
  for (int i = 0; i < 60; ++i) d->Update(i, noise.Next());
  Assessment a = d->Update(60, 80);
  EXPECT_TRUE(a.anomalous);
  EXPECT_NE(a.explanation.find("below"), std::string::npos);
}

TEST(RollingBandDetectorTest, NoAlarmBeforeMinPoints) {
  auto d = MustCreate("zscore", {{"min_points", "10"}});
  for (int i = 0; i < 9; ++i) d->Update(i, i % 2);
  Assessment a = d->Update(9, 1000);
  EXPECT_FALSE(a.anomalous);
  EXPECT_EQ(a.score, 0.0);
  EXPECT_LT(a.confidence, 1.0);
}

TEST(RollingBandDetectorTest, MovingAverageUsesSeedDefaultsWindow20Sensitivity2point5) {
  auto d = MustCreate("movingAverage");
  EXPECT_EQ(d->Name(), "movingAverage");
  for (int i = 0; i < 40; ++i) d->Update(i, i % 2);  // last 20: ten 0s and ten 1s
  Assessment a = d->Update(40, 0.5);
  const double sigma = std::sqrt(20.0 * 0.25 / 19.0);
  EXPECT_NEAR(a.high - a.expected, 2.5 * sigma, 1e-9);
}

TEST(RollingBandDetectorTest, StepAwayFromAFlatLineIsAnomalous) {
  auto d = MustCreate("zscore");
  for (int i = 0; i < 100; ++i) d->Update(i, 20.0);
  EXPECT_TRUE(d->Update(100, 21.0).anomalous);
}

TEST(RollingBandDetectorTest, LargeOffsetsKeepTheirPrecision) {
  // Byte counts around 1e12 with noise of 10: a naive sum of squares (1e24, rounding error
  // ~1e8) would lose the variance entirely.
  auto d = MustCreate("zscore", {{"window", "50"}});
  NoiseSeries noise(1e12, 10.0);
  for (int i = 0; i < 1000; ++i) d->Update(i, noise.Next());
  Assessment a = d->Update(1000, 1e12);
  EXPECT_NEAR((a.high - a.expected) / 3.0, 10.0, 3.5);
  EXPECT_FALSE(a.anomalous);
}

}  // namespace
}  // namespace kubeheal::detectors
