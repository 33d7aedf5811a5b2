#include "kubeheal/detectors/trend_detector.h"

#include <cmath>

#include <gtest/gtest.h>

#include "detector_test_support.h"

namespace kubeheal::detectors {
namespace {

using testing::DetailOf;
using testing::MustCreate;

TEST(TrendDetectorTest, LinearLeakReportsTimeToTheLimit) {
  // 1 MB/s from 100 MB towards a 1000 MB limit, sampled every 10 s.
  auto d = MustCreate("trend", {{"limit", "1000"}, {"horizon", "1h"}, {"window", "30"}});
  Assessment a;
  for (int i = 0; i <= 30; ++i) a = d->Update(10.0 * i, 100.0 + 10.0 * i);
  // At t = 300 s the value is 400: 600 MB to go at 1 MB/s = 600 s = 10 min.
  EXPECT_NEAR(DetailOf(a, "slope_per_second"), 1.0, 1e-9);
  EXPECT_NEAR(DetailOf(a, "seconds_to_limit"), 600.0, 1e-6);
  EXPECT_TRUE(a.anomalous);
  EXPECT_EQ(a.severity, Severity::kCritical);  // 10 min is under half the horizon
  EXPECT_NE(a.explanation.find("reaches the limit 1000 in 10 min"), std::string::npos)
      << a.explanation;
}

TEST(TrendDetectorTest, SlowLeakBeyondTheHorizonIsNormal) {
  auto d = MustCreate("trend", {{"limit", "1000"}, {"horizon", "10m"}});
  Assessment a;
  for (int i = 0; i < 40; ++i) a = d->Update(10.0 * i, 100.0 + 0.01 * i);
  EXPECT_FALSE(a.anomalous);
  EXPECT_GT(DetailOf(a, "seconds_to_limit"), 600.0);
}

TEST(TrendDetectorTest, FallingSeriesNeverReachesTheLimit) {
  auto d = MustCreate("trend", {{"limit", "1000"}});
  Assessment a;
  for (int i = 0; i < 40; ++i) a = d->Update(10.0 * i, 900.0 - i);
  EXPECT_FALSE(a.anomalous);
  EXPECT_TRUE(std::isinf(DetailOf(a, "seconds_to_limit")));
}

TEST(TrendDetectorTest, ValueAtTheLimitIsCritical) {
  auto d = MustCreate("trend", {{"limit", "100"}});
  Assessment a;
  for (int i = 0; i < 10; ++i) a = d->Update(i, 100);
  EXPECT_EQ(a.severity, Severity::kCritical);
  EXPECT_EQ(DetailOf(a, "seconds_to_limit"), 0.0);
  EXPECT_NE(a.explanation.find("has reached the limit"), std::string::npos);
}

TEST(TrendDetectorTest, PointsAtOneTimestampGiveNoSlope) {
  auto d = MustCreate("trend", {{"limit", "100"}});
  Assessment a;
  for (int i = 0; i < 10; ++i) a = d->Update(5, i);
  EXPECT_FALSE(a.anomalous);
}

TEST(TrendDetectorTest, LimitIsRequired) {
  auto made = CreateDetector("trend", {});
  ASSERT_FALSE(made.ok());
  EXPECT_NE(made.error().message.find("'limit'"), std::string::npos);
}

}  // namespace
}  // namespace kubeheal::detectors
