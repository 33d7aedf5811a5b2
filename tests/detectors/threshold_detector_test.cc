#include "kubeheal/detectors/threshold_detector.h"

#include <gtest/gtest.h>

#include "detector_test_support.h"

namespace kubeheal::detectors {
namespace {

using testing::MustCreate;

TEST(ThresholdDetectorTest, AboveWithHysteresisDoesNotFlap) {
  auto d = MustCreate("threshold", {{"above", "10"}, {"hysteresis", "1"}});
  EXPECT_FALSE(d->Update(0, 10).anomalous);  // at the limit is fine
  Assessment over = d->Update(1, 10.5);
  EXPECT_TRUE(over.anomalous);
  EXPECT_EQ(over.severity, Severity::kWarning);
  EXPECT_EQ(over.score, 1.0);
  EXPECT_EQ(over.explanation, "value 10.5 is above the limit 10");
  EXPECT_TRUE(d->Update(2, 9.5).anomalous);   // still within the hysteresis
  EXPECT_FALSE(d->Update(3, 9.0).anomalous);  // cleared at limit - hysteresis
  EXPECT_FALSE(d->Update(4, 9.5).anomalous);  // and needs the limit again to fire
}

TEST(ThresholdDetectorTest, BelowFiresUnderTheLimit) {
  auto d = MustCreate("threshold", {{"below", "0.5"}, {"severity", "critical"}});
  Assessment a = d->Update(0, 0.2);
  EXPECT_TRUE(a.anomalous);
  EXPECT_EQ(a.severity, Severity::kCritical);
  EXPECT_EQ(a.low, 0.5);
  EXPECT_FALSE(d->Update(1, 0.7).anomalous);
}

TEST(ThresholdDetectorTest, FactoryRejectsMissingOrInvertedLimits) {
  auto none = CreateDetector("threshold", {});
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.error().message.find("'above'"), std::string::npos);
  auto inverted = CreateDetector("threshold", {{"above", "1"}, {"below", "2"}});
  ASSERT_FALSE(inverted.ok());
  EXPECT_NE(inverted.error().message.find("'below'"), std::string::npos);
  auto bad_severity = CreateDetector("threshold", {{"above", "1"}, {"severity", "loud"}});
  ASSERT_FALSE(bad_severity.ok());
  EXPECT_NE(bad_severity.error().message.find("'severity'"), std::string::npos);
}

}  // namespace
}  // namespace kubeheal::detectors
