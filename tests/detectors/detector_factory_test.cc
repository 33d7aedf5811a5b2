#include "kubeheal/detectors/detector_factory.h"

#include <cmath>

#include <gtest/gtest.h>

namespace kubeheal::detectors {
namespace {

TEST(DetectorFactoryTest, EveryListedNameCanBeBuilt) {
  for (const std::string& name : DetectorNames()) {
    DetectorParams params;
    if (name == "threshold") params = {{"above", "1"}};
    if (name == "trend") params = {{"limit", "1"}};
    auto made = CreateDetector(name, params);
    ASSERT_TRUE(made.ok()) << name << ": " << made.error().message;
    EXPECT_EQ((*made)->Name(), name);
  }
}

TEST(DetectorFactoryTest, UnknownDetectorListsTheKnownOnes) {
  auto made = CreateDetector("prophet", {});
  ASSERT_FALSE(made.ok());
  EXPECT_NE(made.error().message.find("unknown detector 'prophet'"), std::string::npos);
  EXPECT_NE(made.error().message.find("zscore"), std::string::npos);
}

TEST(DetectorFactoryTest, UnknownParameterIsNamed) {
  auto made = CreateDetector("zscore", {{"windw", "20"}});
  ASSERT_FALSE(made.ok());
  EXPECT_NE(made.error().message.find("unknown parameter 'windw'"), std::string::npos);
  EXPECT_NE(made.error().message.find("window"), std::string::npos);  // the known list
}

TEST(DetectorFactoryTest, OutOfRangeAndMalformedValuesNameTheParameter) {
  struct Case {
    std::string detector, key, value;
  };
  for (const Case& c :
       {Case{"zscore", "window", "1"}, Case{"zscore", "sensitivity", "0"},
        Case{"zscore", "window", "twenty"}, Case{"ewma", "alpha", "1.5"},
        Case{"ewma", "alpha", "nan"}, Case{"mad", "window", "2"}, Case{"zscore", "max_gap", "-5s"},
        Case{"trend", "horizon", "0"}, Case{"isolationForest", "sample_size", "1"},
        Case{"zscore", "min_deviation", "-1"}, Case{"mad", "min_relative_deviation", "101"},
        Case{"ewma", "min_relative_deviation", "-0.5"}}) {
    DetectorParams params{{c.key, c.value}};
    if (c.detector == "trend") params["limit"] = "1";
    auto made = CreateDetector(c.detector, params);
    ASSERT_FALSE(made.ok()) << c.detector << " " << c.key << "=" << c.value;
    EXPECT_NE(made.error().message.find("parameter '" + c.key + "'"), std::string::npos)
        << made.error().message;
    EXPECT_NE(made.error().message.find("detector '" + c.detector + "'"), std::string::npos);
  }
}

// A quiet history (27 ms +- 1 ms) makes 40 ms a 4+ sigma anomaly for every baseline detector;
// with min_relative_deviation 1 the band is at least 27 ms +- 27 ms, so 40 ms is normal and a
// doubling (60 ms) is still caught. min_deviation does the same in signal units.
TEST(DetectorFactoryTest, BandFloorWidensTheBandOfEveryBaselineDetector) {
  for (const std::string name : {"zscore", "movingAverage", "ewma", "mad"}) {
    for (const DetectorParams& floor : {DetectorParams{{"min_relative_deviation", "1"}},
                                        DetectorParams{{"min_deviation", "0.027"}}}) {
      DetectorParams params = floor;
      params["sensitivity"] = "4";
      auto plain = CreateDetector(name, {{"sensitivity", "4"}});
      auto floored = CreateDetector(name, params);
      ASSERT_TRUE(plain.ok() && floored.ok()) << name;
      for (int i = 0; i < 60; ++i) {
        const double v = 0.027 + 0.001 * ((i % 3) - 1);
        (*plain)->Update(i, v);
        (*floored)->Update(i, v);
      }
      EXPECT_TRUE((*plain)->Update(60, 0.040).anomalous) << name;
      const Assessment a = (*floored)->Update(60, 0.040);
      EXPECT_FALSE(a.anomalous) << name << " " << floor.begin()->first << ": " << a.explanation;
      EXPECT_NEAR(a.high - a.expected, 0.027, 0.003) << name;
      EXPECT_TRUE((*floored)->Update(61, 0.060).anomalous) << name;
    }
  }
}

TEST(DetectorFactoryTest, DurationsAcceptUnits) {
  EXPECT_TRUE(CreateDetector("zscore", {{"max_gap", "90"}}).ok());
  EXPECT_TRUE(CreateDetector("zscore", {{"max_gap", "5m"}}).ok());
  EXPECT_TRUE(CreateDetector("trend", {{"limit", "1"}, {"horizon", "2h"}}).ok());
  EXPECT_TRUE(CreateDetector("burnRate", {{"period", "28d"}}).ok());
}

}  // namespace
}  // namespace kubeheal::detectors
