#include "kubeheal/detectors/mad_detector.h"

#include <gtest/gtest.h>

#include "detector_test_support.h"

namespace kubeheal::detectors {
namespace {

using testing::MustCreate;

TEST(MadDetectorTest, BandIsMedianPlusMinusKRobustSigmas) {
  auto d = MustCreate("mad", {{"window", "5"}, {"min_points", "5"}, {"sensitivity", "2"}});
  for (double v : {1.0, 2.0, 3.0, 4.0, 100.0}) d->Update(0, v);
  Assessment a = d->Update(1, 3);
  // median 3; |x - 3| = 2 1 0 1 97 -> MAD 1 -> robust sigma 1.4826.
  EXPECT_DOUBLE_EQ(a.expected, 3.0);
  EXPECT_NEAR(a.high, 3.0 + 2 * 1.4826, 1e-12);
  EXPECT_NEAR(a.low, 3.0 - 2 * 1.4826, 1e-12);
}

TEST(MadDetectorTest, OutliersInTheHistoryDoNotHideTheNextOne) {
  auto mad = MustCreate("mad");
  auto zscore = MustCreate("zscore");
  for (int i = 0; i < 60; ++i) {
    const double v = (i % 10 == 0) ? 1000.0 : 10.0 + (i % 3);
    mad->Update(i, v);
    zscore->Update(i, v);
  }
  Assessment robust = mad->Update(60, 60);
  EXPECT_TRUE(robust.anomalous);
  EXPECT_NE(robust.explanation.find("robust σ above the 60-point median"), std::string::npos);
  EXPECT_FALSE(zscore->Update(60, 60).anomalous);  // the outliers inflated its sigma
}

TEST(MadDetectorTest, MostlyConstantHistoryFallsBackToMeanAbsoluteDeviation) {
  // 0 most of the time, 1 now and then: MAD is 0, yet a 1 is ordinary.
  auto d = MustCreate("mad", {{"window", "60"}});
  for (int i = 0; i < 120; ++i) d->Update(i, i % 4 == 0 ? 1.0 : 0.0);
  EXPECT_FALSE(d->Update(120, 1.0).anomalous);
  EXPECT_TRUE(d->Update(121, 10.0).anomalous);
}

}  // namespace
}  // namespace kubeheal::detectors
