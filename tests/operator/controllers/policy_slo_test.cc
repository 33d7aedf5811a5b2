// The SLO block of a HealingPolicy, end to end through the controller's pieces: the spec is
// translated (an "slo" signal of pattern errors is added), the good/total queries are rendered
// per window and asked of Prometheus (a fake), and the decision engine acts on the burn.
#include <gtest/gtest.h>

#include "kubeheal/common/fake_clock.h"
#include "kubeheal/controllers/policy_detectors.h"
#include "kubeheal/controllers/policy_translation.h"
#include "kubeheal/policy/decision_engine.h"
#include "kubeheal/prom/fake_prometheus_client.h"

namespace kubeheal::controllers {
namespace {

const QueryContext kContext{"shop", "orders", "orders-1|orders-2"};

nlohmann::json PolicyJson(const std::string& extra_signal = "") {
  auto j = nlohmann::json::parse(R"json({
    "metadata": {"name": "orders", "namespace": "shop"},
    "spec": {"targetRef": {"name": "orders"},
      "signals": [{"name": "memory", "pattern": "memory", "query": "mem{pod=~\"{{pod}}\"}",
                   "detector": {"type": "trend", "params": {"limit": 1000}}}],
      "slo": {"objective": 99.5,
              "goodQuery": "sum(rate(ok{pod=~\"{{pod}}\"}[{{window}}]))",
              "totalQuery": "sum(rate(all{pod=~\"{{pod}}\"}[{{window}}]))"}}})json");
  if (!extra_signal.empty()) j["spec"]["signals"].push_back(nlohmann::json::parse(extra_signal));
  return j;
}

std::string Good(const std::string& w) {
  return "sum(rate(ok{pod=~\"orders-1|orders-2\"}[" + w + "]))";
}
std::string Total(const std::string& w) {
  return "sum(rate(all{pod=~\"orders-1|orders-2\"}[" + w + "]))";
}

// Prometheus answers every window with the given error ratio (100 requests/s).
void Answer(prom::FakePrometheusClient& prometheus, const std::map<std::string, double>& ratios) {
  for (const auto& [w, ratio] : ratios) {
    prometheus.SetValue(Good(w), 100 * (1 - ratio));
    prometheus.SetValue(Total(w), 100);
  }
}

api::HealingPolicy Parse(const nlohmann::json& j) {
  auto p = api::HealingPolicyFromJson(j);
  EXPECT_TRUE(p.ok()) << p.error().message;
  return *p;
}

TEST(PolicySloTest, AddedSignalIsTranslatedWithPatternErrors) {
  const auto p = Parse(PolicyJson());
  const auto spec = ToPolicySpec(p, kContext);
  ASSERT_EQ(spec.signals.size(), 2u);
  EXPECT_EQ(spec.signals[1].name, "slo");
  EXPECT_EQ(spec.signals[1].pattern, policy::Pattern::kErrors);
  EXPECT_EQ(spec.signals[1].query,
            Total("{{window}}").replace(Total("{{window}}").find("{{window}}"), 10, "5m"));
  // A policy with a burnRate signal shows the SLO there instead.
  const auto with_burn = Parse(PolicyJson(
      R"({"name": "slo-burn", "pattern": "custom", "query": "x", "detector": {"type": "burnRate"}})"));
  EXPECT_FALSE(AddedSloSignal(with_burn.spec));
  EXPECT_EQ(ToPolicySpec(with_burn, kContext).signals.size(), 2u);
}

TEST(PolicySloTest, QueriesEveryWindowAndJudgesTheBurn) {
  const auto p = Parse(PolicyJson());
  PolicyDetectors pd(p.spec, nlohmann::json());
  prom::FakePrometheusClient prometheus;
  Answer(prometheus,
         {{"1h", 0.10}, {"5m", 0.40}, {"6h", 0.02}, {"30m", 0.2}, {"24h", 0.005}, {"2h", 0.05}});
  policy::Observation observation;
  std::vector<api::SignalStatus> statuses;
  pd.EvaluateDerived(prometheus, std::chrono::seconds(1), kContext, 1e9, &observation, &statuses);
  ASSERT_EQ(observation.signals.size(), 1u);
  const auto& o = observation.signals[0];
  EXPECT_EQ(o.name, "slo");
  EXPECT_TRUE(o.available);
  EXPECT_TRUE(o.anomalous) << o.explanation;  // 1h: 20x and 5m: 80x >= 14.4x
  EXPECT_EQ(o.severity, policy::Severity::kCritical);
  EXPECT_NEAR(o.value, 20, 1e-9);
  ASSERT_EQ(statuses.size(), 1u);
  EXPECT_EQ(statuses[0].name, "slo");
  EXPECT_TRUE(statuses[0].anomalous);
  EXPECT_EQ(statuses[0].severity, "critical");
  EXPECT_EQ(prometheus.Calls().size(), 12u);  // good and total for 6 windows
  EXPECT_EQ(prometheus.Calls()[0], Good("1h"));
}

TEST(PolicySloTest, BurnRateSignalUsesTheSloAndItsOwnAlerts) {
  const auto p = Parse(PolicyJson(
      R"({"name": "slo-burn", "pattern": "custom", "query": "x", "detector": {"type": "burnRate"}})"));
  PolicyDetectors pd(
      p.spec,
      nlohmann::json::parse(
          R"([{"longWindow": "10m", "shortWindow": "1m", "factor": 2, "severity": "warning"}])"));
  ASSERT_TRUE(pd.Has("slo-burn"));
  // The signal's own query is fed by the reconciler but not used.
  EXPECT_FALSE(pd.Feed("slo-burn", 1e9, 0.99).anomalous);
  prom::FakePrometheusClient prometheus;
  Answer(prometheus, {{"10m", 0.02}, {"1m", 0.03}});
  policy::Observation observation;
  observation.signals.push_back({.name = "memory"});
  observation.signals.push_back({.name = "slo-burn", .query = "x"});
  std::vector<api::SignalStatus> statuses(2);
  statuses[0].name = "memory";
  statuses[1].name = "slo-burn";
  pd.EvaluateDerived(prometheus, std::chrono::seconds(1), kContext, 1e9, &observation, &statuses);
  ASSERT_EQ(observation.signals.size(), 2u);
  EXPECT_TRUE(observation.signals[1].anomalous) << observation.signals[1].explanation;
  EXPECT_EQ(observation.signals[1].severity, policy::Severity::kWarning);
  EXPECT_EQ(observation.signals[1].query, "x");
  EXPECT_TRUE(statuses[1].anomalous);
}

TEST(PolicySloTest, FailedOrEmptyQueriesMakeTheSignalUnknown) {
  const auto p = Parse(PolicyJson());
  PolicyDetectors pd(p.spec, nlohmann::json());
  prom::FakePrometheusClient prometheus;
  prometheus.FailAll(Error::Retryable("Unavailable", "connection refused"));
  policy::Observation observation;
  std::vector<api::SignalStatus> statuses;
  pd.EvaluateDerived(prometheus, std::chrono::seconds(1), kContext, 1e9, &observation, &statuses);
  ASSERT_EQ(observation.signals.size(), 1u);
  EXPECT_FALSE(observation.signals[0].available);
  EXPECT_NE(statuses[0].error.find("connection refused"), std::string::npos) << statuses[0].error;
  // No traffic at all: nothing burns, nothing is known.
  prometheus.Clear();
  observation = {};
  pd.EvaluateDerived(prometheus, std::chrono::seconds(1), kContext, 1e9, &observation, &statuses);
  EXPECT_FALSE(observation.signals[0].available);
  EXPECT_FALSE(observation.signals[0].anomalous);
}

TEST(PolicySloTest, BadAlertsAreReportedOnTheSignal) {
  const auto p = Parse(PolicyJson());
  PolicyDetectors pd(
      p.spec, nlohmann::json::parse(R"([{"longWindow": "1m", "shortWindow": "5m", "factor": 2}])"));
  prom::FakePrometheusClient prometheus;
  policy::Observation observation;
  std::vector<api::SignalStatus> statuses;
  pd.EvaluateDerived(prometheus, std::chrono::seconds(1), kContext, 1e9, &observation, &statuses);
  EXPECT_FALSE(observation.signals[0].available);
  EXPECT_NE(statuses[0].error.find("shortWindow"), std::string::npos);
}

// A policy whose only error signal is its SLO: the default playbook's errors rule climbs its
// ladder (circuitBreak first) on the burn, and stands down once the short window is clean.
TEST(PolicySloTest, SloAloneTriggersTheErrorsLadder) {
  const auto p = Parse(PolicyJson());
  PolicyDetectors pd(p.spec, nlohmann::json());
  const auto spec = ToPolicySpec(p, kContext);
  auto clock = std::make_shared<FakeClock>();
  policy::DecisionEngine engine(clock, std::make_shared<policy::GlobalBudget>(0));
  policy::PolicyState state;
  prom::FakePrometheusClient prometheus;
  auto evaluate = [&] {
    policy::Observation observation;
    observation.workload.current_replicas = 2;
    std::vector<api::SignalStatus> statuses;
    pd.EvaluateDerived(prometheus, std::chrono::seconds(1), kContext,
                       std::chrono::duration<double>(clock->Now().time_since_epoch()).count(),
                       &observation, &statuses);
    auto e = engine.Evaluate(spec, observation, state);
    EXPECT_TRUE(e.ok());
    return *e;
  };
  Answer(
      prometheus,
      {{"1h", 0.001}, {"5m", 0.001}, {"6h", 0.001}, {"30m", 0.001}, {"24h", 0.001}, {"2h", 0.001}});
  EXPECT_TRUE(evaluate().decisions.empty());
  clock->Advance(std::chrono::seconds(15));
  Answer(prometheus, {{"1h", 0.08}, {"5m", 0.40}});
  const auto e = evaluate();
  ASSERT_EQ(e.decisions.size(), 1u);
  EXPECT_EQ(e.decisions[0].action, policy::ActionType::kCircuitBreak);
  ASSERT_FALSE(e.decisions[0].evidence.empty());
  EXPECT_EQ(e.decisions[0].evidence[0].signal, "slo");
  (void)engine.ReportOutcome(state, e.decisions[0].id, policy::Outcome::kSucceeded, "");
  // The burn stops: the 5m window is clean again; after verifyAfter the circuit is closed.
  Answer(prometheus, {{"1h", 0.08}, {"5m", 0.0}});
  bool reverted = false;
  for (int i = 0; i < 8 && !reverted; ++i) {
    clock->Advance(std::chrono::seconds(15));
    for (const auto& d : evaluate().decisions) {
      EXPECT_NE(d.action, policy::ActionType::kRestart) << "escalated although recovered";
      if (d.revert && d.action == policy::ActionType::kCircuitBreak) reverted = true;
    }
  }
  EXPECT_TRUE(reverted);
}

}  // namespace
}  // namespace kubeheal::controllers
