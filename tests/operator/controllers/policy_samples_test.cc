// The sample policies (crds/examples/healingpolicy-{payments,users,orders}.yaml, the same as the
// chart's) against the shapes of the e2e drills, on simulated time: each signal's value per
// 15 s evaluation is modelled from what the drill does to the agent's metrics (1 m rate windows,
// 5 s scrapes), fed through PolicyDetectors and the decision engine exactly as the reconciler
// does. What Prometheus would compute is a model here; the policies, detectors, holds, `for`
// and rules are the real ones.
#include <filesystem>
#include <random>

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include "kubeheal/common/fake_clock.h"
#include "kubeheal/controllers/policy_detectors.h"
#include "kubeheal/controllers/policy_translation.h"
#include "kubeheal/policy/decision_engine.h"

namespace kubeheal::controllers {
namespace {

using std::chrono::seconds;

nlohmann::json ToJson(const YAML::Node& n) {
  switch (n.Type()) {
    case YAML::NodeType::Map: {
      auto j = nlohmann::json::object();
      for (const auto& kv : n) j[kv.first.as<std::string>()] = ToJson(kv.second);
      return j;
    }
    case YAML::NodeType::Sequence: {
      auto j = nlohmann::json::array();
      for (const auto& v : n) j.push_back(ToJson(v));
      return j;
    }
    case YAML::NodeType::Scalar: {
      const std::string s = n.Scalar();
      if (n.Tag() == "?") {  // plain scalar: YAML's numbers and booleans
        if (s == "true" || s == "false") return s == "true";
        char* end = nullptr;
        const long long i = std::strtoll(s.c_str(), &end, 10);
        if (!s.empty() && *end == '\0') return i;
        const double d = std::strtod(s.c_str(), &end);
        if (!s.empty() && *end == '\0') return d;
      }
      return s;
    }
    default:
      return nullptr;
  }
}

api::HealingPolicy LoadSample(const std::string& service) {
  const std::filesystem::path repo = KUBEHEAL_SOURCE_DIR;
  const auto file = repo / "crds" / "examples" / ("healingpolicy-" + service + ".yaml");
  auto j = ToJson(YAML::LoadFile(file.string()));
  j["metadata"]["namespace"] = "kubeheal-samples";
  auto p = api::HealingPolicyFromJson(j);
  EXPECT_TRUE(p.ok()) << file << ": " << p.error().message;
  return *p;
}

// One policy evaluated every 15 s as the reconciler does it.
class Drill {
 public:
  explicit Drill(const std::string& service)
      : policy_(LoadSample(service)),
        spec_(ToPolicySpec(policy_, {"kubeheal-samples", service, service + "-.*"})),
        detectors_(policy_.spec.signals),
        clock_(std::make_shared<FakeClock>()),
        engine_(clock_, std::make_shared<policy::GlobalBudget>(0)) {
    for (const auto& s : policy_.spec.signals) {
      EXPECT_TRUE(detectors_.Has(s.name)) << s.name << ": " << detectors_.BuildError(s.name);
    }
  }

  // One evaluation with these signal values; returns its decisions (executed successfully).
  std::vector<policy::Decision> Tick(const std::map<std::string, double>& values,
                                     policy::WorkloadFacts facts = {.current_replicas = 2}) {
    clock_->Advance(seconds(15));
    elapsed_ += 15;
    const double now = std::chrono::duration<double>(clock_->Now().time_since_epoch()).count();
    policy::Observation observation;
    observation.workload = facts;
    for (size_t i = 0; i < policy_.spec.signals.size(); ++i) {
      const auto& name = policy_.spec.signals[i].name;
      policy::SignalObservation o;
      o.name = name;
      o.query = spec_.signals[i].query;
      auto v = values.find(name);
      if (v == values.end()) {
        o.available = false;
      } else {
        const auto a = detectors_.Feed(name, now, v->second);
        o.value = v->second;
        o.expected_low = a.low;
        o.expected_high = a.high;
        o.score = a.score;
        o.anomalous = a.anomalous;
        o.severity = static_cast<policy::Severity>(static_cast<int>(a.severity));
        o.explanation = a.explanation;
      }
      observation.signals.push_back(std::move(o));
    }
    auto e = engine_.Evaluate(spec_, observation, state_);
    EXPECT_TRUE(e.ok()) << e.error().message;
    for (const auto& d : e->decisions) {
      (void)engine_.ReportOutcome(state_, d.id, policy::Outcome::kSucceeded, "");
      log_.push_back({elapsed_, d});
    }
    return e->decisions;
  }

  struct Logged {
    int at_seconds;
    policy::Decision decision;
  };
  const std::vector<Logged>& log() const { return log_; }
  int elapsed() const { return elapsed_; }
  // The first non-revert decision at or after `from` seconds.
  const Logged* FirstActionSince(int from) const {
    for (const auto& l : log_) {
      if (l.at_seconds >= from && !l.decision.revert) return &l;
    }
    return nullptr;
  }
  bool AnyAction(policy::ActionType type, const std::string& rule, int from) const {
    for (const auto& l : log_) {
      if (l.at_seconds >= from && !l.decision.revert && l.decision.action == type &&
          l.decision.rule == rule) {
        return true;
      }
    }
    return false;
  }
  bool AnyRule(const std::string& rule, int from) const {
    for (const auto& l : log_) {
      if (l.at_seconds >= from && !l.decision.revert && l.decision.rule == rule) return true;
    }
    return false;
  }
  bool Reverted(policy::ActionType type, int from) const {
    for (const auto& l : log_) {
      if (l.at_seconds >= from && l.decision.revert && l.decision.action == type) return true;
    }
    return false;
  }

 private:
  api::HealingPolicy policy_;
  policy::PolicySpec spec_;
  PolicyDetectors detectors_;
  std::shared_ptr<FakeClock> clock_;
  policy::DecisionEngine engine_;
  policy::PolicyState state_;
  std::vector<Logged> log_;
  int elapsed_ = 0;
};

// A healthy service's signals (payments-like p99 with its 1% slow card-network calls).
class Healthy {
 public:
  explicit Healthy(unsigned seed) : rng_(seed) {}
  std::map<std::string, double> Next() {
    std::normal_distribution<double> p99(0.12, 0.04), rate(1.0, 0.03), mem(22e6, 0.3e6);
    std::uniform_real_distribution<double> errors(0, 0.002);
    return {{"p99-latency", std::max(0.01, p99(rng_))},
            {"error-ratio", errors(rng_)},
            {"request-rate", rate(rng_)},
            {"memory", mem(rng_)},
            {"restarts", 0}};
  }

 private:
  std::mt19937 rng_;
};

void Print(const char* drill, const Drill::Logged* first, int start) {
  if (first == nullptr) return;
  std::printf("[policy-drill] %s: first action %s (rule %s) %d s after the fault began\n", drill,
              policy::ActionTypeName(first->decision.action), first->decision.rule.c_str(),
              first->at_seconds - start);
}

constexpr int kWarmTicks = 40 * 4;  // 40 minutes of normal operation first

void Warm(Drill& drill, Healthy& healthy) {
  for (int i = 0; i < kWarmTicks; ++i) {
    ASSERT_TRUE(drill.Tick(healthy.Next()).empty()) << "false alarm at " << drill.elapsed() << "s";
  }
}

// Drill 1: 1000 ms on every payments pod for 60 s. p99 over 1 m stays high until the window is
// clean (8 evaluations); payments' answered rate dips (orders' workers are blocked) and the
// backlog drains after the fault (1.6x for a minute).
TEST(SamplePolicyDrillTest, LatencyOnPaymentsIsThrottledAndNotScaledForTraffic) {
  Drill drill("payments");
  Healthy healthy(1);
  Warm(drill, healthy);
  const int start = drill.elapsed();
  for (int i = 0; i < 8; ++i) {
    auto v = healthy.Next();
    v["p99-latency"] = 2.3 + 0.05 * (i % 3);
    v["request-rate"] = i < 4 ? 0.45 : 1.6;
    drill.Tick(v);
  }
  for (int i = 0; i < 40; ++i) drill.Tick(healthy.Next());
  const auto* first = drill.FirstActionSince(start);
  Print(::testing::UnitTest::GetInstance()->current_test_info()->name(), first, start);
  ASSERT_NE(first, nullptr) << "latency fault not acted on";
  EXPECT_EQ(first->decision.action, policy::ActionType::kThrottle);
  EXPECT_LE(first->at_seconds - start, 90) << "detectWithin 90s";
  EXPECT_FALSE(drill.AnyRule("traffic", start)) << "the backlog drain scaled out";
  EXPECT_TRUE(drill.Reverted(policy::ActionType::kThrottle, start));
}

// The same 1000 ms fault held for 10 minutes: the latency signal stays anomalous, so the ladder
// climbs (throttle, scale, alert) instead of the anomaly fading into the baseline.
TEST(SamplePolicyDrillTest, LongLatencyFaultClimbsTheLadder) {
  Drill drill("payments");
  Healthy healthy(2);
  Warm(drill, healthy);
  const int start = drill.elapsed();
  for (int i = 0; i < 40; ++i) {
    auto v = healthy.Next();
    v["p99-latency"] = 2.3 + 0.05 * (i % 3);
    drill.Tick(v);
  }
  EXPECT_TRUE(drill.AnyAction(policy::ActionType::kThrottle, "latency", start));
  EXPECT_TRUE(drill.AnyAction(policy::ActionType::kScale, "latency", start));
  EXPECT_TRUE(drill.AnyAction(policy::ActionType::kAlert, "latency", start));
}

// Drill 2: 40% HTTP 500 on every users pod for 60 s; the 1 m error ratio ramps up.
TEST(SamplePolicyDrillTest, ErrorsOnUsersOpenTheCircuit) {
  Drill drill("users");
  Healthy healthy(3);
  Warm(drill, healthy);
  const int start = drill.elapsed();
  for (int i = 0; i < 8; ++i) {
    auto v = healthy.Next();
    v["error-ratio"] = i < 4 ? 0.1 * (i + 1) : 0.4 - 0.1 * (i - 3);
    drill.Tick(v);
  }
  for (int i = 0; i < 20; ++i) drill.Tick(healthy.Next());
  const auto* first = drill.FirstActionSince(start);
  Print(::testing::UnitTest::GetInstance()->current_test_info()->name(), first, start);
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(first->decision.action, policy::ActionType::kCircuitBreak);
  EXPECT_LE(first->at_seconds - start, 90);
  EXPECT_TRUE(drill.Reverted(policy::ActionType::kCircuitBreak, start));
}

// Drill 3: one orders agent crash-loops: its process start time changes every restart (5 m
// `changes`), and the pod shows CrashLoopBackOff after the second restart.
TEST(SamplePolicyDrillTest, CrashLoopOnOrdersRestarts) {
  Drill drill("orders");
  Healthy healthy(4);
  Warm(drill, healthy);
  const int start = drill.elapsed();
  for (int i = 0; i < 6; ++i) {
    auto v = healthy.Next();
    v["restarts"] = std::min(i, 4);
    drill.Tick(v, {.crashing_pods = i >= 3 ? 1 : 0, .current_replicas = 2});
  }
  const auto* first = drill.FirstActionSince(start);
  Print(::testing::UnitTest::GetInstance()->current_test_info()->name(), first, start);
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(first->decision.action, policy::ActionType::kRestart);
  EXPECT_LE(first->at_seconds - start, 120);
}

// Drill 4: the generator goes from 1 to 6 replicas for 2 minutes (1 m rate window ramps up,
// orders answers up to 5x its usual rate); p99 rises a little with the load.
TEST(SamplePolicyDrillTest, TrafficFloodOnOrdersScalesOutAndBack) {
  Drill drill("orders");
  Healthy healthy(5);
  Warm(drill, healthy);
  const int start = drill.elapsed();
  const double ramp[] = {1.4, 2.6, 3.8, 5.0, 5.0, 5.0, 5.0, 5.0, 3.5, 2.0, 1.0, 0.8};
  for (double r : ramp) {
    auto v = healthy.Next();
    v["request-rate"] = r;
    v["p99-latency"] *= 1.3;
    drill.Tick(v, {.current_replicas = 2});
  }
  for (int i = 0; i < 40; ++i) drill.Tick(healthy.Next(), {.current_replicas = 3});
  const auto* first = drill.FirstActionSince(start);
  Print(::testing::UnitTest::GetInstance()->current_test_info()->name(), first, start);
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(first->decision.action, policy::ActionType::kScale);
  EXPECT_LE(first->at_seconds - start, 120) << "detectWithin 2m";
  EXPECT_TRUE(drill.Reverted(policy::ActionType::kScale, start));
}

// Drill 5: the agent of one users pod leaks 1 MiB/s from 22 MB towards its 256 MiB limit; the
// restart must be decided early enough for a rolling restart (~60 s) to finish before the OOM.
TEST(SamplePolicyDrillTest, MemoryLeakRestartsBeforeTheLimit) {
  Drill drill("users");
  Healthy healthy(6);
  Warm(drill, healthy);
  const int start = drill.elapsed();
  const double limit = 256.0 * 1024 * 1024;
  const double oom_after = (limit - 22e6) / (1024 * 1024);  // seconds
  for (int i = 0; i < 16; ++i) {
    auto v = healthy.Next();
    v["memory"] = 22e6 + (i + 1) * 15 * 1024.0 * 1024;
    drill.Tick(v);
  }
  const auto* first = drill.FirstActionSince(start);
  Print(::testing::UnitTest::GetInstance()->current_test_info()->name(), first, start);
  ASSERT_NE(first, nullptr) << "no restart before the OOM at " << oom_after << "s";
  EXPECT_EQ(first->decision.action, policy::ActionType::kRestart);
  EXPECT_LT(first->at_seconds - start + 60, oom_after)
      << "restart decided at " << first->at_seconds - start << "s, OOM at " << oom_after << "s";
}

// Drill 6 (orders' view): payments slow and users failing at once; orders' p99 and its 502s rise
// together, its answered rate dips. The errors rule acts (circuitBreak); latency stands down
// (unless errors) and the dip and its recovery scale nothing.
TEST(SamplePolicyDrillTest, CascadeActsOnOrdersOwnErrors) {
  Drill drill("orders");
  Healthy healthy(7);
  Warm(drill, healthy);
  const int start = drill.elapsed();
  for (int i = 0; i < 10; ++i) {
    auto v = healthy.Next();
    v["p99-latency"] = i < 1 ? 0.5 : 1.9;
    v["error-ratio"] = std::min(0.25, 0.08 * (i + 1));
    v["request-rate"] = i < 6 ? 0.5 : 1.5;
    drill.Tick(v);
  }
  for (int i = 0; i < 30; ++i) drill.Tick(healthy.Next());
  const auto* first = drill.FirstActionSince(start);
  Print(::testing::UnitTest::GetInstance()->current_test_info()->name(), first, start);
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(first->decision.action, policy::ActionType::kCircuitBreak);
  EXPECT_FALSE(drill.AnyRule("traffic", start));
  EXPECT_FALSE(drill.AnyAction(policy::ActionType::kThrottle, "latency", start));
}

}  // namespace
}  // namespace kubeheal::controllers
