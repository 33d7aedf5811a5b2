#include "kubeheal/detectors/default_ensemble_detector.h"

#include <cmath>

#include <gtest/gtest.h>

#include "detector_test_support.h"

namespace kubeheal::detectors {
namespace {

using testing::MustCreate;
using testing::NoiseSeries;

// A daily cycle every 288 points (5-minute samples) with noise.
double Daily(int i, NoiseSeries& noise) {
  return 50.0 + 10.0 * std::sin(6.283185307179586 * i / 288.0) + noise.Next();
}

TEST(DefaultEnsembleDetectorTest, SpikeInANoisyDailyCycleIsDetected) {
  auto d = MustCreate("default");
  NoiseSeries noise(0, 1, 31);
  for (int i = 0; i < 3000; ++i) {
    Assessment a = d->Update(300.0 * i, Daily(i, noise));
    ASSERT_LT(a.score, 0.5) << "false alarm at " << i << ": " << a.explanation;
  }
  Assessment spike = d->Update(300.0 * 3000, 90);
  EXPECT_TRUE(spike.anomalous);
  EXPECT_GE(spike.score, 0.5);
  EXPECT_NE(spike.severity, Severity::kNormal);
  EXPECT_NE(spike.explanation.find("above the"), std::string::npos) << spike.explanation;
}

TEST(DefaultEnsembleDetectorTest, BrokenDailyPatternIsDetectedBySeasonalComparison) {
  // The cycle stops at its mean: every value stays inside the usual range, but the value a
  // day earlier at the same time was far away.
  auto d = MustCreate("default");
  NoiseSeries noise(0, 0.3, 32);
  bool detected = false;
  for (int i = 0; i < 288 * 12; ++i) {
    const bool flat = i >= 288 * 10 && i < 288 * 10 + 100;
    const double v = flat ? 50.0 + noise.Next() : Daily(i, noise);
    Assessment a = d->Update(300.0 * i, v);
    if (i < 288 * 10) {
      ASSERT_LT(a.score, 0.5) << "false alarm at " << i;
    }
    if (flat && a.score >= 0.5) detected = true;
  }
  EXPECT_TRUE(detected);
}

TEST(DefaultEnsembleDetectorTest, SecondAlarmSoonAfterIsDampedButStillAnomalous) {
  auto d = MustCreate("default", {{"quiet_points", "50"}});
  NoiseSeries noise(10, 1, 33);
  for (int i = 0; i < 2000; ++i) d->Update(i, noise.Next());
  ASSERT_GE(d->Update(2000, 40).score, 0.5);
  for (int i = 2001; i < 2020; ++i) d->Update(i, noise.Next());
  Assessment again = d->Update(2020, 45);
  EXPECT_LT(again.score, 0.5);
  EXPECT_TRUE(again.anomalous);
}

TEST(DefaultEnsembleDetectorTest, ValueBeyondEverythingSeenIsNews) {
  auto d = MustCreate("default");
  NoiseSeries noise(100, 5, 34);
  for (int i = 0; i < 1000; ++i) d->Update(i, noise.Next());
  EXPECT_GE(d->Update(1000, 200).score, 0.5);
}

TEST(DefaultEnsembleDetectorTest, ParametersAreValidated) {
  auto bad = CreateDetector("default", {{"season", "soon"}});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("'season'"), std::string::npos);
  EXPECT_FALSE(CreateDetector("default", {{"alert_likelihood", "0.2"}}).ok());
}

}  // namespace
}  // namespace kubeheal::detectors
