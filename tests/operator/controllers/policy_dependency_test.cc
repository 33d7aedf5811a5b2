// Two HealingPolicies of one namespace through the real reconciler: orders (spec.dependsOn
// payments) waits while payments is anomalous on its own account, records on whom in its
// status and an Event, and acts on its own once payments is normal; a new leader that has not
// evaluated payments yet reads payments' status; payments' traffic surge through orders waits.
#include <map>

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
using ::testing::AnyNumber;
using ::testing::Invoke;

Json Policy(const std::string& name, std::vector<std::string> depends_on) {
  Json j = Json::parse(R"({
    "apiVersion": "kubeheal.io/v1alpha1", "kind": "HealingPolicy",
    "metadata": {"namespace": "shop", "uid": "p", "generation": 1, "resourceVersion": "1"},
    "spec": {"targetRef": {"kind": "Deployment"}, "interval": "10s",
      "signals": [{"name": "p99", "pattern": "latency",
                   "query": "p99{pod=~\"{{pod}}\"}",
                   "detector": {"type": "threshold", "params": {"above": 0.5}}, "for": "0s"},
                  {"name": "rps", "pattern": "traffic",
                   "query": "rps{pod=~\"{{pod}}\"}",
                   "detector": {"type": "threshold", "params": {"above": 100}}, "for": "0s"}],
      "rules": [{"name": "latency", "when": {"pattern": "latency"}, "actions": ["throttle", "alert"]},
                {"name": "traffic", "when": {"pattern": "traffic"}, "actions": ["scale", "alert"]}],
      "actions": {"throttle": {"rps": 20, "burst": 40, "verifyAfter": "1m"},
                  "scale": {"step": 1, "minReplicas": 1, "maxReplicas": 4, "verifyAfter": "1m"}},
      "cooldown": "1m"}})");
  j["metadata"]["name"] = name;
  j["spec"]["targetRef"]["name"] = name;
  for (const auto& d : depends_on) j["spec"]["dependsOn"].push_back({{"name", d}});
  return j;
}

class PolicyDependencyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    kube_->PutCustom("HealingPolicy", Policy("orders", {"payments"}));
    kube_->PutCustom("HealingPolicy", Policy("payments", {}));
    for (const std::string app : {"orders", "payments"}) {
      kube_->PutWorkload(
          Json{{"apiVersion", "apps/v1"},
               {"kind", "Deployment"},
               {"metadata", {{"name", app}, {"namespace", "shop"}}},
               {"spec", {{"replicas", 1}, {"selector", {{"matchLabels", {{"app", app}}}}}}}});
      Json pod = RunningPod(app + "-a", app == "orders" ? "127.0.0.2" : "127.0.0.3");
      pod["metadata"]["labels"]["app"] = app;
      kube_->PutPod(std::move(pod));
    }
    kube_->PutSecret("shop", "kubeheal-agent-token", "token", "tok");
    // A throttle sent again unchanged while one is on is its renewal (the agent's ttl moves),
    // not a second action: only new throttles are counted.
    ON_CALL(*agents_, SetThrottle(_, _))
        .WillByDefault(Invoke(
            [this](const agentclient::AgentEndpoint& ep, const agentclient::ThrottleCommand& c) {
              const Json sent = c.ToJson();
              auto [it, fresh] = throttled_.emplace(ep.host, sent);
              if (fresh || it->second != sent) {
                it->second = sent;
                kube_->Note(std::string("throttle:") +
                            (ep.host == "127.0.0.2" ? "orders" : "payments"));
              }
              return Status::Ok();
            }));
    ON_CALL(*agents_, ClearThrottle(_))
        .WillByDefault(Invoke([this](const agentclient::AgentEndpoint& ep) {
          throttled_.erase(ep.host);
          return Status::Ok();
        }));
    EXPECT_CALL(*agents_, SetThrottle(_, _)).Times(AnyNumber());
    EXPECT_CALL(*agents_, ClearThrottle(_)).Times(AnyNumber());
    reconciler_ = NewReconciler();
    Set("orders", 0.1, 10);
    Set("payments", 0.1, 10);
  }

  std::unique_ptr<HealingPolicyReconciler> NewReconciler() {
    auto targets = std::make_shared<AgentTargets>(kube_, AgentSettings{});
    auto executor = std::make_shared<ActionExecutor>(kube_, agents_, targets,
                                                     std::make_shared<MockAlertSender>(), clock_);
    auto engine =
        std::make_shared<policy::DecisionEngine>(clock_, std::make_shared<policy::GlobalBudget>(0));
    return std::make_unique<HealingPolicyReconciler>(kube_, prometheus_, engine, executor,
                                                     std::make_shared<ScenarioRegistry>(), metrics_,
                                                     clock_, FixedRandom(0.5));
  }

  void Set(const std::string& app, double p99, double rps) {
    prometheus_->SetValue("p99{pod=~\"" + app + "-a\"}", p99);
    prometheus_->SetValue("rps{pod=~\"" + app + "-a\"}", rps);
  }
  // One evaluation of each policy, in this order, then the interval passes.
  void Round(std::initializer_list<const char*> order) {
    for (const char* name : order) (void)reconciler_->Reconcile(std::string("shop/") + name);
    clock_->Advance(10s);
  }
  api::HealingPolicyStatus Status(const std::string& name) {
    return api::HealingPolicyStatusFromJson(
        kube_->Custom("HealingPolicy", "shop", name)->value("status", Json::object()));
  }
  // What was done, in order: "throttle:<app>" (a new throttle; its renewals are not counted) and
  // "scale:<app>" (a scale or its revert).
  std::vector<std::string> Acted() const {
    std::vector<std::string> acted;
    for (const auto& line : kube_->Journal()) {
      if (line.rfind("throttle:", 0) == 0) acted.push_back(line);
      if (line.rfind("SetReplicas Deployment shop/", 0) == 0) {
        const auto name = line.substr(28, line.find(' ', 28) - 28);
        acted.push_back("scale:" + name);
      }
    }
    return acted;
  }
  int Count(const std::string& what) {
    const auto acted = Acted();
    return static_cast<int>(std::count(acted.begin(), acted.end(), what));
  }
  // "<policy>:<reason>:<message>" of every Event.
  std::vector<std::string> Events() const {
    std::vector<std::string> events;
    for (const auto& e : kube_->Events())
      events.push_back(e.name + ":" + e.reason + ":" + e.message);
    return events;
  }
  bool Event(const std::string& prefix) {
    const auto events = Events();
    return std::any_of(events.begin(), events.end(),
                       [&](const std::string& e) { return e.rfind(prefix, 0) == 0; });
  }

  std::shared_ptr<FakeClock> clock_ = std::make_shared<FakeClock>();
  std::shared_ptr<FakeKubeOperations> kube_ = std::make_shared<FakeKubeOperations>();
  std::shared_ptr<MockAgentClient> agents_ = std::make_shared<MockAgentClient>();
  std::shared_ptr<prom::FakePrometheusClient> prometheus_ =
      std::make_shared<prom::FakePrometheusClient>();
  std::shared_ptr<OperatorMetrics> metrics_ =
      std::make_shared<OperatorMetrics>(std::make_shared<prometheus::Registry>());
  std::unique_ptr<HealingPolicyReconciler> reconciler_;
  std::map<std::string, Json> throttled_;  // host -> the throttle it has now
};

TEST_F(PolicyDependencyTest, CallerWaitsWhileItsDependencyIsSlowAndSaysOnWhom) {
  Round({"payments", "orders"});
  Set("payments", 2.0, 10);
  Set("orders", 2.5, 10);  // orders is slow because payments is
  for (int i = 0; i < 12; ++i) Round({"payments", "orders"});
  EXPECT_EQ(Count("throttle:payments"), 1) << ::testing::PrintToString(Acted());
  EXPECT_EQ(Count("throttle:orders"), 0) << ::testing::PrintToString(Acted());
  const auto st = Status("orders");
  ASSERT_EQ(st.waiting_on.size(), 1u);
  EXPECT_EQ(st.waiting_on[0].policy, "payments");
  EXPECT_EQ(st.waiting_on[0].relation, "dependency");
  EXPECT_EQ(st.waiting_on[0].rule, "latency");
  EXPECT_NE(st.waiting_on[0].reason.find("p99 2"), std::string::npos) << st.waiting_on[0].reason;
  const auto* c = api::FindCondition(st.conditions, "WaitingOnDependency");
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->status, "True");
  EXPECT_NE(c->message.find("payments"), std::string::npos);
  EXPECT_EQ(st.phase, "Anomalous");
  EXPECT_TRUE(
      Event("orders:WaitingOnDependency:rule latency takes no action while latency of payments"))
      << ::testing::PrintToString(Events());
  EXPECT_TRUE(Status("payments").waiting_on.empty());
}

TEST_F(PolicyDependencyTest, CallerActsOnItsOwnOnceTheDependencyIsNormalForTheGrace) {
  Round({"payments", "orders"});
  Set("payments", 2.0, 10);
  Set("orders", 2.5, 10);
  Round({"payments", "orders"});
  Set("payments", 0.1, 10);  // payments recovers, orders stays slow: its own problem now
  for (int i = 0; i < 11; ++i) Round({"payments", "orders"});  // within the 2 min grace
  EXPECT_EQ(Count("throttle:orders"), 0) << ::testing::PrintToString(Acted());
  for (int i = 0; i < 3; ++i) Round({"payments", "orders"});
  EXPECT_EQ(Count("throttle:orders"), 1) << ::testing::PrintToString(Acted());
  const auto st = Status("orders");
  EXPECT_TRUE(st.waiting_on.empty());
  EXPECT_EQ(api::FindCondition(st.conditions, "WaitingOnDependency")->status, "False");
}

TEST_F(PolicyDependencyTest, WithoutDependsOnTheCallerActs) {
  kube_->PutCustom("HealingPolicy", Policy("orders", {}));
  Round({"payments", "orders"});
  Set("payments", 2.0, 10);
  Set("orders", 2.5, 10);
  Round({"payments", "orders"});
  EXPECT_EQ(Count("throttle:orders"), 1) << ::testing::PrintToString(Acted());
  EXPECT_EQ(Count("throttle:payments"), 1);
}

TEST_F(PolicyDependencyTest, NewLeaderReadsTheDependencyFromItsStatus) {
  Round({"payments", "orders"});
  Set("payments", 2.0, 10);
  Round({"payments"});  // payments' status: p99 anomalous, written by the old leader
  ASSERT_TRUE(Status("payments").signals.at(0).anomalous);
  reconciler_ = NewReconciler();  // a new leader: nothing in memory
  Set("orders", 2.5, 10);
  Round({"orders"});
  EXPECT_EQ(Count("throttle:orders"), 0) << ::testing::PrintToString(Acted());
  ASSERT_EQ(Status("orders").waiting_on.size(), 1u);
  EXPECT_EQ(Status("orders").waiting_on[0].policy, "payments");
}

TEST_F(PolicyDependencyTest, AStaleDependencyStatusExplainsNothing) {
  Round({"payments", "orders"});
  Set("payments", 2.0, 10);
  Round({"payments"});
  reconciler_ = NewReconciler();
  clock_->Advance(5min);  // payments has not been evaluated for 5 min: its status is stale
  Set("orders", 2.5, 10);
  Round({"orders"});
  EXPECT_EQ(Count("throttle:orders"), 1) << ::testing::PrintToString(Acted());
}

TEST_F(PolicyDependencyTest, TrafficSurgeThroughTheCallerDoesNotScaleTheDependency) {
  Round({"orders", "payments"});
  Set("orders", 0.1, 500);
  Set("payments", 0.1, 500);  // orders forwards the flood
  for (int i = 0; i < 6; ++i) Round({"orders", "payments"});
  EXPECT_EQ(Count("scale:orders"), 1) << ::testing::PrintToString(Acted());
  EXPECT_EQ(Count("scale:payments"), 0) << ::testing::PrintToString(Acted());
  const auto st = Status("payments");
  ASSERT_EQ(st.waiting_on.size(), 1u);
  EXPECT_EQ(st.waiting_on[0].policy, "orders");
  EXPECT_EQ(st.waiting_on[0].relation, "caller");
}

TEST_F(PolicyDependencyTest, PoliciesThatDependOnEachOtherDoNotBothWait) {
  kube_->PutCustom("HealingPolicy", Policy("payments", {"orders"}));
  Round({"payments", "orders"});
  Set("payments", 2.0, 10);
  Set("orders", 2.5, 10);
  for (int i = 0; i < 4; ++i) Round({"payments", "orders"});
  EXPECT_GE(Count("throttle:payments") + Count("throttle:orders"), 1)
      << "both waited on each other: " << ::testing::PrintToString(Events());
}

TEST_F(PolicyDependencyTest, ADependencyOnItselfIsAnInvalidSpec) {
  kube_->PutCustom("HealingPolicy", Policy("orders", {"orders"}));
  auto r = reconciler_->Reconcile("shop/orders");
  EXPECT_EQ(r.kind, kube::ReconcileResult::Kind::kTerminalError);
  const auto st = Status("orders");
  const auto* c = api::FindCondition(st.conditions, "SpecValid");
  ASSERT_NE(c, nullptr);
  EXPECT_NE(c->message.find("spec.dependsOn[0].name: a policy cannot depend on itself"),
            std::string::npos)
      << c->message;
}

}  // namespace
}  // namespace kubeheal::controllers
