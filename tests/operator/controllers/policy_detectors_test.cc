// PolicyDetectors: how the controller feeds the detectors (baseline hold, multivariate vectors,
// restart replay). Time is simulated: points carry their own timestamps, 15 s apart.
#include "kubeheal/controllers/policy_detectors.h"

#include <cstdio>
#include <random>

#include <gtest/gtest.h>

#include "kubeheal/detectors/detector_factory.h"
#include "kubeheal/prom/fake_prometheus_client.h"

namespace kubeheal::controllers {
namespace {

constexpr double kStep = 15;  // interval of the sample policies
constexpr double kStart = 1'800'000'000;

api::SignalSpec Signal(const std::string& name, const std::string& detector,
                       const std::string& params_json, std::chrono::seconds hold_for = {}) {
  api::SignalSpec s;
  s.name = name;
  s.query = name + "_query";
  s.detector = detector;
  s.params = nlohmann::json::parse(params_json);
  s.hold_for = std::chrono::duration_cast<api::Millis>(hold_for);
  return s;
}

// Latency-like noise: 100 +- 5 (normal, seeded: the same series every run).
class Noise {
 public:
  explicit Noise(unsigned seed) : rng_(seed) {}
  double Next() { return dist_(rng_); }

 private:
  std::mt19937 rng_;
  std::normal_distribution<double> dist_{100.0, 5.0};
};

struct ShiftRun {
  int fault_points = 0;
  int detected_points = 0;      // fault points judged anomalous
  int first_missed = -1;        // index of the first fault point not anomalous
  int recovered_anomalous = 0;  // normal points after the fault still judged anomalous
  bool held_after_recovery = true;
};

// 40 min of noise, then `shift_sigma` sigma above for `fault_minutes`, then 10 min of noise.
ShiftRun RunLevelShift(const std::string& detector, const std::string& params, double shift_sigma,
                       int fault_minutes, bool through_policy_detectors) {
  PolicyDetectors pd({Signal("latency", detector, params, std::chrono::seconds(30))});
  auto raw = detectors::CreateDetector(detector, ToDetectorParams(nlohmann::json::parse(params)));
  EXPECT_TRUE(raw.ok());
  Noise noise(7);
  double t = kStart;
  auto feed = [&](double v) {
    t += kStep;
    return through_policy_detectors ? pd.Feed("latency", t, v) : (*raw)->Update(t, v);
  };
  for (int i = 0; i < 40 * 4; ++i) EXPECT_FALSE(feed(noise.Next()).anomalous) << i;
  ShiftRun run;
  run.fault_points = fault_minutes * 4;
  for (int i = 0; i < run.fault_points; ++i) {
    if (feed(noise.Next() + shift_sigma * 5.0).anomalous) {
      ++run.detected_points;
    } else if (run.first_missed < 0) {
      run.first_missed = i;
    }
  }
  for (int i = 0; i < 10 * 4; ++i) {
    if (feed(noise.Next()).anomalous) ++run.recovered_anomalous;
  }
  run.held_after_recovery = pd.BaselineHeld("latency");
  return run;
}

struct DetectorCase {
  const char* detector;
  const char* params;
  bool absorbs_without_hold;  // mad's median resists until half its window is the fault
};

class BaselineHoldTest : public ::testing::TestWithParam<DetectorCase> {};

// The defect being fixed: fed as is, a rolling detector absorbs a sustained +10 sigma fault
// within minutes.
// mad's median resists by itself until half its window is the fault (why the demo used it).
TEST_P(BaselineHoldTest, WithoutHoldTheFaultIsAbsorbed) {
  const auto run = RunLevelShift(GetParam().detector, GetParam().params, 10, 10, false);
  const auto held = RunLevelShift(GetParam().detector, GetParam().params, 10, 10, true);
  std::printf(
      "[baseline-hold] %s, +10 sigma for 10 min: %d/%d points anomalous fed as is, "
      "%d/%d with the hold\n",
      GetParam().detector, run.detected_points, run.fault_points, held.detected_points,
      held.fault_points);
  if (!GetParam().absorbs_without_hold) {
    EXPECT_GE(run.detected_points, run.fault_points * 9 / 10);  // 38 of 40 measured
    return;
  }
  EXPECT_GE(run.first_missed, 0) << "detected the whole time even without the hold";
  EXPECT_LT(run.detected_points, run.fault_points / 2);
}

// A +10 sigma level shift held for 10 minutes stays anomalous at every point, and after the
// fault the detector is back to normal at once with its baseline learning again.
TEST_P(BaselineHoldTest, LevelShiftStaysDetectedForTenMinutes) {
  const auto run = RunLevelShift(GetParam().detector, GetParam().params, 10, 10, true);
  EXPECT_EQ(run.detected_points, run.fault_points) << "first missed point " << run.first_missed;
  EXPECT_LE(run.recovered_anomalous, 1);
  EXPECT_FALSE(run.held_after_recovery);
}

// A smaller but clear shift (+6 sigma) too.
TEST_P(BaselineHoldTest, SixSigmaShiftStaysDetected) {
  const auto run = RunLevelShift(GetParam().detector, GetParam().params, 6, 10, true);
  EXPECT_EQ(run.detected_points, run.fault_points) << "first missed point " << run.first_missed;
}

// A permanent level change alarms for the maximum hold only (15 min by default), then the new
// level becomes the baseline.
TEST_P(BaselineHoldTest, PermanentChangeIsAcceptedAfterTheMaximumHold) {
  const auto run = RunLevelShift(GetParam().detector, GetParam().params, 10, 40, true);
  EXPECT_GE(run.first_missed, 15 * 4) << "missed before the maximum hold";
  EXPECT_LT(run.detected_points, run.fault_points) << "the hold did not end";
  if (GetParam().absorbs_without_hold) {
    EXPECT_LT(run.detected_points, 20 * 4);
  }
}

INSTANTIATE_TEST_SUITE_P(
    RollingDetectors, BaselineHoldTest,
    ::testing::Values(
        DetectorCase{"zscore",
                     R"({"window": 120, "sensitivity": 4, "minPoints": 20, "direction": "above"})",
                     true},
        DetectorCase{"ewma",
                     R"({"alpha": 0.2, "sensitivity": 4, "minPoints": 20, "direction": "above"})",
                     true},
        DetectorCase{"movingAverage", R"({"window": 60, "sensitivity": 4, "minPoints": 20})", true},
        DetectorCase{"mad", R"({"window": 120, "sensitivity": 4, "minPoints": 20})", false}),
    [](const auto& info) { return std::string(info.param.detector); });

// A deviation the signal's direction does not count is not an anomaly, but it is not learned
// either: a traffic dip (pods restarting) must not lower the baseline, or the return to the
// usual rate would look like a surge and scale the workload out.
TEST(BaselineHoldDirectionTest, DipIsHeldNotCountedAndTheReturnIsNoSurge) {
  PolicyDetectors pd(
      {Signal("rate", "ewma",
              R"({"alpha": 0.2, "sensitivity": 4, "minPoints": 20, "direction": "above"})")});
  Noise noise(3);  // 100 +- 5 requests/s
  double t = kStart;
  for (int i = 0; i < 80; ++i) ASSERT_FALSE(pd.Feed("rate", t += kStep, noise.Next()).anomalous);
  for (int i = 0; i < 20; ++i) {  // 5 minutes at a fifth of the traffic
    EXPECT_FALSE(pd.Feed("rate", t += kStep, noise.Next() / 5).anomalous) << i;
    EXPECT_TRUE(pd.BaselineHeld("rate")) << i;
  }
  for (int i = 0; i < 20; ++i) {
    EXPECT_FALSE(pd.Feed("rate", t += kStep, noise.Next()).anomalous)
        << "return seen as surge " << i;
  }
  EXPECT_FALSE(pd.BaselineHeld("rate"));
}

// The same dip fed as is (no hold) makes the return look like a surge: what the hold prevents.
TEST(BaselineHoldDirectionTest, WithoutHoldTheReturnLooksLikeASurge) {
  auto d = detectors::CreateDetector(
      "ewma", {{"alpha", "0.2"}, {"sensitivity", "4"}, {"min_points", "20"}});
  ASSERT_TRUE(d.ok());
  Noise noise(3);
  double t = kStart;
  for (int i = 0; i < 80; ++i) (*d)->Update(t += kStep, noise.Next());
  for (int i = 0; i < 20; ++i) (*d)->Update(t += kStep, noise.Next() / 5);
  int above = 0;
  for (int i = 0; i < 20; ++i) {
    const double v = noise.Next();
    const auto a = (*d)->Update(t += kStep, v);
    if (a.anomalous && v > a.high) ++above;
  }
  EXPECT_GT(above, 0);
}

// A long hold is not a gap in the data: with maxGap 2m a 10 min fault keeps the learned band at
// recovery, while a real 5 min gap resets the detector (warm-up again).
TEST(BaselineHoldMaxGapTest, HoldIsNotAGapButARealGapResets) {
  PolicyDetectors pd(
      {Signal("latency", "zscore", R"({"window": 60, "minPoints": 20, "maxGap": "2m"})")});
  Noise noise(5);
  double t = kStart;
  for (int i = 0; i < 80; ++i) pd.Feed("latency", t += kStep, noise.Next());
  for (int i = 0; i < 40; ++i) EXPECT_TRUE(pd.Feed("latency", t += kStep, 200).anomalous) << i;
  auto recovered = pd.Feed("latency", t += kStep, 100);
  EXPECT_FALSE(recovered.anomalous);
  EXPECT_GT(recovered.confidence, 0.5) << "history was reset by the hold";
  t += 300;  // Prometheus down for 5 minutes
  auto after_gap = pd.Feed("latency", t, 300);
  EXPECT_FALSE(after_gap.anomalous) << "a reset detector must warm up again";
}

// Operator restart: the reconciler warms a new PolicyDetectors from a range query of the last
// 30 minutes. Replaying the same points reproduces the live state, hold included, so a fault
// that began before the restart stays detected against the pre-fault baseline.
TEST(BaselineHoldRestartTest, WarmUpReplayHoldsTheBaselineLikeLiveFeeding) {
  const auto spec =
      Signal("latency", "zscore",
             R"({"window": 120, "sensitivity": 4, "minPoints": 20, "direction": "above"})",
             std::chrono::seconds(30));
  PolicyDetectors live({spec});
  Noise noise(11);
  std::vector<std::pair<double, double>> points;
  double t = kStart;
  for (int i = 0; i < 100; ++i) points.emplace_back(t += kStep, noise.Next());
  for (int i = 0; i < 20; ++i) points.emplace_back(t += kStep, noise.Next() + 50);  // fault, 5 min
  for (const auto& [ts, v] : points) live.Feed("latency", ts, v);
  ASSERT_TRUE(live.BaselineHeld("latency"));

  PolicyDetectors restarted({spec});
  for (const auto& [ts, v] : points) {
    if (ts > t - 30 * 60) restarted.Feed("latency", ts, v);  // the warm window: last 30 min
  }
  restarted.MarkWarmed("latency");
  EXPECT_TRUE(restarted.BaselineHeld("latency"));
  for (int i = 0; i < 20; ++i) {  // 5 more minutes of the fault after the restart
    const double v = noise.Next() + 50;
    t += kStep;
    const auto a = live.Feed("latency", t, v);
    const auto b = restarted.Feed("latency", t, v);
    EXPECT_TRUE(b.anomalous) << i;
    EXPECT_EQ(a.anomalous, b.anomalous) << i;
    EXPECT_NEAR(a.high, b.high, 1e-6) << i;
  }
}

// Points already fed (warm-up range overlapping the first live query) are not counted twice.
TEST(PolicyDetectorsFeedTest, OverlappingTimestampsAreSkipped) {
  PolicyDetectors pd({Signal("x", "zscore", R"({"window": 10, "minPoints": 3})")});
  pd.Feed("x", kStart, 1);
  pd.Feed("x", kStart + 15, 2);
  auto again = pd.Feed("x", kStart + 15, 1000);
  EXPECT_FALSE(again.anomalous);
}

// --- multivariate isolation forest ---

std::vector<api::SignalSpec> ForestSignals(const std::string& forest_params) {
  // The forest is listed first: its vector is completed by the members fed after it.
  return {Signal("latency-vs-load", "isolationForest", forest_params),
          Signal("latency", "zscore", R"({"window": 60})"),
          Signal("in-flight", "zscore", R"({"window": 60})")};
}

constexpr const char* kForestParams =
    R"({"signals": ["latency", "in-flight"], "trees": 50, "sampleSize": 64, "trainingWindow": 256, "minTraining": 64, "retrainEvery": 32, "threshold": 0.62, "seed": 1})";

// Load drives both latency and in-flight requests; the forest learns the relation.
struct Point {
  double rate, latency, in_flight;
};
Point Normal(std::mt19937& rng) {
  std::uniform_real_distribution<double> load(50, 150);
  std::normal_distribution<double> jitter(0, 1);
  const double l = load(rng);
  return {l, 0.05 + l * 0.001 + 0.002 * jitter(rng), l * 0.1 + 0.5 * jitter(rng)};
}

void FeedLive(PolicyDetectors& pd, double t, const Point& p) {
  pd.Feed("latency-vs-load", t, p.rate);
  pd.Feed("latency", t, p.latency);
  pd.Feed("in-flight", t, p.in_flight);
}

policy::SignalObservation Derive(PolicyDetectors& pd, double t,
                                 std::vector<api::SignalStatus>* statuses = nullptr) {
  prom::FakePrometheusClient prometheus;
  policy::Observation observation;
  for (const char* name : {"latency-vs-load", "latency", "in-flight"}) {
    observation.signals.push_back({.name = name});
  }
  std::vector<api::SignalStatus> local;
  if (!statuses) statuses = &local;
  pd.EvaluateDerived(prometheus, std::chrono::seconds(1), {"shop", "orders", "orders-.*"}, t,
                     &observation, statuses);
  return observation.signals.front();
}

TEST(MultivariateForestTest, LearnsTheVectorThenFlagsABrokenRelation) {
  PolicyDetectors pd(ForestSignals(kForestParams));
  ASSERT_TRUE(pd.Has("latency-vs-load")) << pd.BuildError("latency-vs-load");
  std::mt19937 rng(9);
  double t = kStart;
  int false_alarms = 0;
  for (int i = 0; i < 300; ++i) {
    FeedLive(pd, t += kStep, Normal(rng));
    const auto o = Derive(pd, t);
    ASSERT_TRUE(o.available) << o.explanation;
    if (i < 64) {
      EXPECT_FALSE(o.anomalous) << "flagged before training, point " << i;
    }
    if (o.anomalous) ++false_alarms;
  }
  EXPECT_LE(false_alarms, 15) << "of 300 normal points";
  // Same load, latency five times higher and requests piling up: each value alone is within
  // its usual range only for load, not for the pair.
  FeedLive(pd, t += kStep, {100, 0.6, 60});
  std::vector<api::SignalStatus> statuses;
  const auto o = Derive(pd, t, &statuses);
  EXPECT_TRUE(o.anomalous) << o.explanation;
  EXPECT_GE(o.value, 0.62);
  EXPECT_NE(o.explanation.find("latency=0.6"), std::string::npos) << o.explanation;
  ASSERT_FALSE(statuses.empty());
  EXPECT_TRUE(statuses.front().anomalous);
}

// Warm-up feeds each signal's whole range in turn (the forest's own first); the vectors are
// assembled by timestamp and the forest is trained by the time the last member is warmed.
TEST(MultivariateForestTest, WarmUpAssemblesVectorsAcrossSignals) {
  PolicyDetectors pd(ForestSignals(kForestParams));
  std::mt19937 rng(4);
  std::vector<Point> history;
  for (int i = 0; i < 120; ++i) history.push_back(Normal(rng));
  double t0 = kStart;
  for (size_t i = 0; i < history.size(); ++i)
    pd.Feed("latency-vs-load", t0 + i * kStep, history[i].rate);
  for (size_t i = 0; i < history.size(); ++i)
    pd.Feed("latency", t0 + i * kStep, history[i].latency);
  for (size_t i = 0; i < history.size(); ++i)
    pd.Feed("in-flight", t0 + i * kStep, history[i].in_flight);
  const double t = t0 + history.size() * kStep;
  FeedLive(pd, t, {100, 0.6, 60});
  const auto o = Derive(pd, t);
  EXPECT_TRUE(o.anomalous) << o.explanation;
}

TEST(MultivariateForestTest, MissingMemberMakesTheSignalUnknown) {
  PolicyDetectors pd(ForestSignals(kForestParams));
  pd.Feed("latency-vs-load", kStart, 100);
  pd.Feed("latency", kStart, 0.1);  // in-flight's query gave nothing
  const auto o = Derive(pd, kStart);
  EXPECT_FALSE(o.available);
}

TEST(MultivariateForestTest, PendingVectorsAreBounded) {
  PolicyDetectorsOptions options;
  options.max_pending_vectors = 8;
  PolicyDetectors pd(ForestSignals(kForestParams), options);
  for (int i = 0; i < 1000; ++i) pd.Feed("latency", kStart + i * kStep, 0.1);  // never complete
  // Only the last 8 timestamps can still complete: the first 992 are gone.
  for (int i = 0; i < 1000; ++i) pd.Feed("in-flight", kStart + i * kStep, 10);
  for (int i = 0; i < 1000; ++i) pd.Feed("latency-vs-load", kStart + i * kStep, 100);
  const auto o = Derive(pd, kStart + 999 * kStep);
  ASSERT_TRUE(o.available);
  EXPECT_NE(o.explanation.find("latency=0.1"), std::string::npos) << o.explanation;
}

TEST(MultivariateForestTest, UnknownMemberIsABuildError) {
  PolicyDetectors pd({Signal("f", "isolationForest", R"({"signals": ["nope"]})")});
  EXPECT_FALSE(pd.Has("f"));
  EXPECT_NE(pd.BuildError("f").find("nope"), std::string::npos);
}

}  // namespace
}  // namespace kubeheal::controllers
