// Input rules every univariate detector shares: NaN, +-Inf, backwards and equal timestamps,
// gaps, flat lines, and snapshots. Each detector kind runs through all of them.
#include <cmath>
#include <limits>

#include <gtest/gtest.h>

#include "detector_test_support.h"

namespace kubeheal::detectors {
namespace {

using testing::MustCreate;
using testing::NoiseSeries;

struct Kind {
  std::string name;
  DetectorParams params;
};

std::string KindName(const ::testing::TestParamInfo<Kind>& info) { return info.param.name; }

class DetectorEdgeCaseTest : public ::testing::TestWithParam<Kind> {
 protected:
  std::unique_ptr<Detector> Make(DetectorParams extra = {}) {
    DetectorParams params = GetParam().params;
    params.insert(extra.begin(), extra.end());
    return MustCreate(GetParam().name, params);
  }
  // Values every kind accepts as ordinary (an error ratio for burnRate, below all limits).
  static void Feed(Detector& d, int points, double t0 = 0, std::uint64_t seed = 3) {
    NoiseSeries noise(0.0005, 0.0001, seed);
    for (int i = 0; i < points; ++i) d.Update(t0 + 60.0 * i, std::abs(noise.Next()));
  }
};

TEST_P(DetectorEdgeCaseTest, FlatLineNeverAlarms) {
  auto d = Make();
  for (int i = 0; i < 3000; ++i) {
    Assessment a = d->Update(60.0 * i, 0.0005);
    ASSERT_FALSE(a.anomalous) << "point " << i << ": " << a.explanation;
    ASSERT_LT(a.score, 0.5) << "point " << i;
    ASSERT_TRUE(std::isfinite(a.score) && a.score >= 0 && a.score <= 1);
    ASSERT_EQ(a.severity, Severity::kNormal) << "point " << i;
  }
}

TEST_P(DetectorEdgeCaseTest, NonFiniteValuesAreRejectedWithoutChangingState) {
  auto d = Make();
  Feed(*d, 400);
  const std::string before = d->SaveState();
  for (double bad :
       {std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::infinity(),
        -std::numeric_limits<double>::infinity()}) {
    Assessment a = d->Update(60.0 * 400, bad);
    EXPECT_EQ(a.score, 0.0);
    EXPECT_EQ(a.confidence, 0.0);
    EXPECT_FALSE(a.anomalous);
    EXPECT_NE(a.explanation.find(std::isnan(bad) ? "NaN" : "infinite"), std::string::npos)
        << a.explanation;
  }
  Assessment a = d->Update(std::numeric_limits<double>::quiet_NaN(), 1.0);
  EXPECT_NE(a.explanation.find("timestamp is NaN"), std::string::npos);
  EXPECT_EQ(d->SaveState(), before);
}

TEST_P(DetectorEdgeCaseTest, BackwardsTimestampIsRejectedAndEqualIsAccepted) {
  auto d = Make();
  Feed(*d, 400);
  const std::string before = d->SaveState();
  Assessment a = d->Update(60.0 * 100, 0.0005);
  EXPECT_NE(a.explanation.find("backwards"), std::string::npos);
  EXPECT_EQ(d->SaveState(), before);
  Assessment same_time = d->Update(60.0 * 399, 0.0005);  // same timestamp as the last point
  EXPECT_EQ(same_time.explanation.find("backwards"), std::string::npos);
  EXPECT_GT(same_time.confidence, 0.0);
}

TEST_P(DetectorEdgeCaseTest, GapLongerThanMaxGapForgetsTheHistory) {
  auto with_history = Make({{"max_gap", "1h"}});
  Feed(*with_history, 400);
  auto fresh = Make({{"max_gap", "1h"}});
  const double after_gap = 60.0 * 400 + 7200;
  Assessment a = with_history->Update(after_gap, 0.0005);
  Assessment b = fresh->Update(after_gap, 0.0005);
  EXPECT_EQ(with_history->SaveState(), fresh->SaveState());
  EXPECT_EQ(a.score, b.score);
  EXPECT_EQ(a.confidence, b.confidence);
}

TEST_P(DetectorEdgeCaseTest, ShortGapKeepsTheHistory) {
  if (GetParam().name == "threshold") GTEST_SKIP() << "a static threshold keeps no history";
  auto d = Make({{"max_gap", "1h"}});
  Feed(*d, 400);
  auto fresh = Make({{"max_gap", "1h"}});
  const double after_gap = 60.0 * 400 + 1800;
  d->Update(after_gap, 0.0005);
  fresh->Update(after_gap, 0.0005);
  EXPECT_NE(d->SaveState(), fresh->SaveState());
}

TEST_P(DetectorEdgeCaseTest, RestoredSnapshotContinuesIdentically) {
  auto original = Make();
  Feed(*original, 700);
  auto restored = Make();
  Status loaded = restored->LoadState(original->SaveState());
  ASSERT_TRUE(loaded.ok()) << loaded.error().message;
  NoiseSeries noise(0.0005, 0.0002, 99);
  for (int i = 700; i < 900; ++i) {
    const double v = std::abs(noise.Next()) + (i == 850 ? 0.01 : 0.0);
    Assessment a = original->Update(60.0 * i, v);
    Assessment b = restored->Update(60.0 * i, v);
    ASSERT_EQ(a.score, b.score) << "point " << i;
    ASSERT_EQ(a.anomalous, b.anomalous);
    ASSERT_EQ(a.low, b.low);
    ASSERT_EQ(a.high, b.high);
  }
}

TEST_P(DetectorEdgeCaseTest, LoadStateRejectsGarbageAndKeepsWorking) {
  auto d = Make();
  Status s = d->LoadState("not a snapshot");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find("state"), std::string::npos);
  auto other = MustCreate(GetParam().name == "zscore" ? "ewma" : "zscore");
  EXPECT_FALSE(d->LoadState(other->SaveState()).ok());
  Feed(*d, 300);
  std::string full = d->SaveState();
  EXPECT_FALSE(d->LoadState(full.substr(0, full.size() / 2)).ok());
  Feed(*d, 10, 1e6);  // still usable
}

TEST_P(DetectorEdgeCaseTest, ResetForgetsEverything) {
  auto d = Make();
  const std::string empty = d->SaveState();
  Feed(*d, 300);
  d->Reset();
  EXPECT_EQ(d->SaveState(), empty);
}

INSTANTIATE_TEST_SUITE_P(
    AllDetectors, DetectorEdgeCaseTest,
    ::testing::Values(Kind{"threshold", {{"above", "0.5"}}}, Kind{"zscore", {}}, Kind{"ewma", {}},
                      Kind{"movingAverage", {}}, Kind{"mad", {}},
                      Kind{"isolationForest",
                           {{"min_training", "64"}, {"retrain_every", "100"}, {"trees", "20"}}},
                      Kind{"burnRate", {}}, Kind{"trend", {{"limit", "1"}}}, Kind{"default", {}}),
    KindName);

}  // namespace
}  // namespace kubeheal::detectors
