// PolicyDetectors through the HealingPolicy reconciler: the SLO block and a multivariate forest
// (derived signals, evaluated after the plain ones by PolicyDetectors::EvaluateDerived, written to
// status; the SLO-only policy's errors ladder opens the circuit), and an operator restart in the
// middle of a latency fault (the baseline warmed from the range query is held as it was live).
#include <optional>

#include <gtest/gtest.h>

#include "kubeheal/common/fake_clock.h"
#include "kubeheal/common/scripted_random_source.h"
#include "kubeheal/controllers/healing_policy_reconciler.h"
#include "kubeheal/controllers/testing/fake_kube_operations.h"
#include "kubeheal/prom/fake_prometheus_client.h"
#include "mocks.h"

namespace kubeheal::controllers {
namespace {

using namespace std::chrono_literals;
using ::testing::_;
using ::testing::Return;

constexpr const char* kPods = "orders-a|orders-b";

std::string Good(const std::string& w) {
  return std::string("sum(rate(ok{pod=~\"") + kPods + "\"}[" + w + "]))";
}
std::string Total(const std::string& w) {
  return std::string("sum(rate(all{pod=~\"") + kPods + "\"}[" + w + "]))";
}

Json Policy() {
  return Json::parse(R"json({
    "apiVersion": "kubeheal.io/v1alpha1", "kind": "HealingPolicy",
    "metadata": {"name": "orders", "namespace": "shop", "uid": "p-1", "generation": 1,
                 "resourceVersion": "1"},
    "spec": {"targetRef": {"kind": "Deployment", "name": "orders"}, "interval": "15s",
      "signals": [
        {"name": "vector", "query": "rate_q", "for": "0s",
         "detector": {"type": "isolationForest",
                      "params": {"signals": ["latency"], "minTraining": 16, "trainingWindow": 64,
                                 "retrainEvery": 16, "trees": 20, "sampleSize": 16}}},
        {"name": "latency", "query": "latency_q", "for": "0s",
         "detector": {"type": "threshold", "params": {"above": 100}}}],
      "slo": {"objective": 99.5,
              "goodQuery": "sum(rate(ok{pod=~\"{{pod}}\"}[{{window}}]))",
              "totalQuery": "sum(rate(all{pod=~\"{{pod}}\"}[{{window}}]))",
              "burnRateAlerts": [{"longWindow": "1h", "shortWindow": "5m", "factor": 14.4,
                                  "severity": "critical"}]},
      "actions": {"circuitBreak": {"duration": "30s", "verifyAfter": "1m"}},
      "cooldown": "1m"}})json");
}

class PolicyReconcilerSloTest : public ::testing::Test {
 protected:
  void SetUp() override {
    kube_->PutCustom("HealingPolicy", Policy());
    kube_->PutWorkload(Json::parse(R"({"apiVersion":"apps/v1","kind":"Deployment",
        "metadata":{"name":"orders","namespace":"shop"},
        "spec":{"replicas":2,"selector":{"matchLabels":{"app":"orders"}}}})"));
    kube_->PutPod(RunningPod("orders-a", "127.0.0.2"));
    kube_->PutPod(RunningPod("orders-b", "127.0.0.3"));
    kube_->PutSecret("shop", "kubeheal-agent-token", "token", "tok");
    auto targets = std::make_shared<AgentTargets>(kube_, AgentSettings{});
    auto executor = std::make_shared<ActionExecutor>(kube_, agents_, targets,
                                                     std::make_shared<MockAlertSender>(), clock_);
    auto engine =
        std::make_shared<policy::DecisionEngine>(clock_, std::make_shared<policy::GlobalBudget>(0));
    reconciler_ = std::make_unique<HealingPolicyReconciler>(
        kube_, prometheus_, engine, executor, std::make_shared<ScenarioRegistry>(),
        std::make_shared<OperatorMetrics>(registry_), clock_, FixedRandom(0.5));
  }

  // The policy as the API holds it (edits in place are another client's).
  Json& Stored() { return *kube_->MutableCustom("HealingPolicy", "shop", "orders"); }

  // The value of a {policy,signal} gauge of the operator's registry, if exported.
  std::optional<double> Gauge(const std::string& family, const std::string& signal) {
    for (const auto& f : registry_->Collect()) {
      if (f.name != family) continue;
      for (const auto& m : f.metric) {
        bool match = false;
        for (const auto& l : m.label) match = match || (l.name == "signal" && l.value == signal);
        if (match) return m.gauge.value;
      }
    }
    return std::nullopt;
  }

  void ErrorRatio(double long_ratio, double short_ratio) {
    prometheus_->SetValue(Good("1h"), 100 * (1 - long_ratio));
    prometheus_->SetValue(Total("1h"), 100);
    prometheus_->SetValue(Good("5m"), 100 * (1 - short_ratio));
    prometheus_->SetValue(Total("5m"), 100);
  }

  Json SignalStatus(const std::string& name) {
    for (const auto& s : Stored()["status"].value("signals", Json::array())) {
      if (s.value("name", "") == name) return s;
    }
    return Json();
  }

  void Evaluate(int i) {
    // The rate and the latency move together (load); the forest learns that.
    const double load = 50 + (i * 7) % 40;
    prometheus_->SetValue("rate_q", load);
    prometheus_->SetValue("latency_q", load * 0.5);
    (void)reconciler_->Reconcile("shop/orders");
    clock_->Advance(15s);
  }

  std::shared_ptr<FakeClock> clock_ = std::make_shared<FakeClock>();
  std::shared_ptr<FakeKubeOperations> kube_ = std::make_shared<FakeKubeOperations>();
  std::shared_ptr<MockAgentClient> agents_ = std::make_shared<MockAgentClient>();
  std::shared_ptr<prom::FakePrometheusClient> prometheus_ =
      std::make_shared<prom::FakePrometheusClient>();
  std::shared_ptr<prometheus::Registry> registry_ = std::make_shared<prometheus::Registry>();
  std::unique_ptr<HealingPolicyReconciler> reconciler_;
};

TEST_F(PolicyReconcilerSloTest, SloBurnOpensTheCircuitAndDerivedSignalsReachStatus) {
  ErrorRatio(0.001, 0.001);
  EXPECT_CALL(*agents_, SetCircuit(_, _)).Times(0);
  for (int i = 0; i < 20; ++i) Evaluate(i);
  EXPECT_EQ(Stored()["status"]["phase"], "Healthy") << Stored()["status"].dump();
  auto slo = SignalStatus("slo");
  ASSERT_FALSE(slo.is_null()) << Stored()["status"].dump();
  EXPECT_FALSE(slo.value("anomalous", true));
  EXPECT_NEAR(slo.value("value", -1.0), 0.2, 1e-9);  // 0.1% errors of a 0.5% budget
  auto forest = SignalStatus("vector");
  ASSERT_FALSE(forest.is_null());
  EXPECT_NE(forest.value("explanation", "").find("latency="), std::string::npos) << forest.dump();

  ::testing::Mock::VerifyAndClearExpectations(agents_.get());
  EXPECT_CALL(*agents_, SetCircuit(_, _)).Times(2).WillRepeatedly(Return(Status::Ok()));
  ErrorRatio(0.10, 0.40);  // 20x and 80x the budget
  Evaluate(20);
  slo = SignalStatus("slo");
  EXPECT_TRUE(slo.value("anomalous", false)) << slo.dump();
  EXPECT_EQ(slo.value("severity", ""), "critical");
  EXPECT_EQ(Stored()["status"]["phase"], "Remediating") << Stored()["status"].dump();
  // Derived signals are on /metrics like the fed ones (the dashboards' anomaly panels).
  EXPECT_EQ(Gauge("kubeheal_signal_value", "slo"), slo.value("value", -1.0));
  EXPECT_EQ(Gauge("kubeheal_anomaly_score", "slo"), slo.value("score", -1.0));
  EXPECT_TRUE(Gauge("kubeheal_signal_value", "vector").has_value());
}

// A new reconciler (the operator restarted) meets a latency fault that began 5 minutes ago.
// Prometheus' history (the 30 min range query of the warm-up) holds 25 minutes of ~100 ms then
// 5 minutes at 1 s. Replayed with the hold, the baseline is the pre-fault one and the fault is
// still anomalous; fed as is, 20 of 120 points at 1 s would have widened the band past 1 s.
TEST_F(PolicyReconcilerSloTest, RestartDuringAFaultKeepsThePreFaultBaseline) {
  kube_->PutCustom("HealingPolicy", Json::parse(R"json({
    "apiVersion": "kubeheal.io/v1alpha1", "kind": "HealingPolicy",
    "metadata": {"name": "orders", "namespace": "shop", "uid": "p-1", "generation": 1,
                 "resourceVersion": "1"},
    "spec": {"targetRef": {"kind": "Deployment", "name": "orders"}, "interval": "15s",
      "signals": [{"name": "p99", "pattern": "latency", "query": "p99_q", "for": "30s",
                   "detector": {"type": "zscore", "params": {"window": 120, "sensitivity": 4,
                                "minPoints": 20, "direction": "above"}}}],
      "rules": [{"name": "latency", "when": {"pattern": "latency"}, "actions": ["alert"]}]}})json"));
  prom::QueryResult history;
  history.type = prom::ResultType::kMatrix;
  prom::Series series;
  const auto now = clock_->Now();
  for (int i = 120; i >= 1; --i) {
    const double v = i > 20 ? 0.1 + 0.01 * ((i * 7) % 5 - 2) : 1.0;
    series.samples.push_back({now - std::chrono::seconds(15 * i), v});
  }
  series.samples.push_back({now, 1.0});  // the instant query's value (the last sample)
  history.series.push_back(series);
  prometheus_->SetResult("p99_q", history);
  (void)reconciler_->Reconcile("shop/orders");
  const auto p99 = SignalStatus("p99");
  ASSERT_FALSE(p99.is_null()) << Stored()["status"].dump();
  EXPECT_TRUE(p99.value("anomalous", false)) << p99.dump();
  EXPECT_LT(p99["expected"].value("high", 99.0), 0.5)
      << "band learned from the fault: " << p99.dump();
  EXPECT_NE(p99.value("explanation", "").find("baseline held"), std::string::npos) << p99.dump();
}

}  // namespace
}  // namespace kubeheal::controllers
