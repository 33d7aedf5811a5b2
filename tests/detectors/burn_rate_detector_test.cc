#include "kubeheal/detectors/burn_rate_detector.h"

#include <cmath>

#include <gtest/gtest.h>

#include "detector_test_support.h"

namespace kubeheal::detectors {
namespace {

using testing::DetailOf;
using testing::MustCreate;

// One point per minute with the given error ratio, for `minutes` minutes from `start`.
Assessment FeedMinutes(Detector& d, double ratio, int minutes, int start = 0) {
  Assessment a;
  for (int m = start; m < start + minutes; ++m) a = d.Update(60.0 * m, ratio);
  return a;
}

TEST(BurnRateDetectorTest, FastBurnPagesOnTheOneHourRow) {
  auto d = MustCreate("burnRate", {{"objective", "0.999"}});
  Assessment a = FeedMinutes(*d, 0.02, 61);  // 20x the allowed 0.1% for an hour
  EXPECT_TRUE(a.anomalous);
  EXPECT_EQ(a.severity, Severity::kCritical);
  EXPECT_NEAR(DetailOf(a, "burn_rate_1h"), 20.0, 1e-9);
  EXPECT_NEAR(DetailOf(a, "burn_rate_5m"), 20.0, 1e-9);
  // 60 weighted minutes at 2% of a 30-day budget of 0.1%: 72 / 2592 error-seconds used.
  EXPECT_NEAR(DetailOf(a, "budget_remaining"), 1.0 - 0.02 * 3600 / (0.001 * 30 * 86400), 1e-9);
  EXPECT_NE(a.explanation.find("20x over 1h"), std::string::npos) << a.explanation;
}

TEST(BurnRateDetectorTest, EachRowNeedsBothItsWindowsBurning) {
  auto d = MustCreate("burnRate");
  FeedMinutes(*d, 0.02, 61);
  // Ten quiet minutes: the 5m window is clean, so the 1h row stops paging even though the
  // hour still averages 16.7x; the 6h/30m row (17x and 13x, both above 6x) still pages.
  Assessment a = FeedMinutes(*d, 0.0, 10, 61);
  EXPECT_GT(DetailOf(a, "burn_rate_1h"), 14.4);
  EXPECT_NEAR(DetailOf(a, "burn_rate_5m"), 0.0, 1e-12);
  EXPECT_EQ(a.severity, Severity::kCritical);
  EXPECT_NE(a.explanation.find("over 6h"), std::string::npos) << a.explanation;
  // Forty quiet minutes: no page row fires; the 3d/6h ticket row (12x > 1x) still does.
  a = FeedMinutes(*d, 0.0, 31, 71);
  EXPECT_TRUE(a.anomalous);
  EXPECT_EQ(a.severity, Severity::kWarning);
  EXPECT_NE(a.explanation.find("over 3d"), std::string::npos) << a.explanation;
}

TEST(BurnRateDetectorTest, SlowBurnOpensATicket) {
  auto d = MustCreate("burnRate");
  Assessment a = FeedMinutes(*d, 0.0015, 3 * 24 * 60 + 1);  // 1.5x for three days
  EXPECT_TRUE(a.anomalous);
  EXPECT_EQ(a.severity, Severity::kWarning);
  EXPECT_NEAR(DetailOf(a, "burn_rate_3d"), 1.5, 1e-6);
  EXPECT_NEAR(a.confidence, 1.0, 1e-12);
}

TEST(BurnRateDetectorTest, BurnWithinBudgetIsNormal) {
  auto d = MustCreate("burnRate");
  Assessment a = FeedMinutes(*d, 0.0005, 600);
  EXPECT_FALSE(a.anomalous);
  EXPECT_EQ(a.severity, Severity::kNormal);
  EXPECT_GT(DetailOf(a, "budget_remaining"), 0.99);
}

TEST(BurnRateDetectorTest, CustomRowsAndObjective) {
  auto d = MustCreate("burnRate",
                      {{"objective", "0.99"}, {"windows", "10m/1m/2/warning"}, {"period", "7d"}});
  Assessment a = FeedMinutes(*d, 0.03, 11);  // 3x of 1%
  EXPECT_TRUE(a.anomalous);
  EXPECT_EQ(a.severity, Severity::kWarning);
  EXPECT_NEAR(DetailOf(a, "burn_rate_10m"), 3.0, 1e-9);
}

TEST(BurnRateDetectorTest, RatiosOutsideZeroToOneAreClamped) {
  auto d = MustCreate("burnRate");
  Assessment a = FeedMinutes(*d, 5.0, 10);
  EXPECT_NEAR(DetailOf(a, "burn_rate_5m"), 1000.0, 1e-9);
}

TEST(BurnRateDetectorTest, BadRowsAreRejectedWithTheRowNamed) {
  for (const char* rows : {"1h/5m", "5m/1h/2", "1h/5m/x", "1h/5m/2/normal", "1x/5m/2"}) {
    auto made = CreateDetector("burnRate", {{"windows", rows}});
    ASSERT_FALSE(made.ok()) << rows;
    EXPECT_NE(made.error().message.find("'windows'"), std::string::npos) << made.error().message;
  }
  auto objective = CreateDetector("burnRate", {{"objective", "1"}});
  ASSERT_FALSE(objective.ok());
  EXPECT_NE(objective.error().message.find("'objective'"), std::string::npos);
}

}  // namespace
}  // namespace kubeheal::detectors
