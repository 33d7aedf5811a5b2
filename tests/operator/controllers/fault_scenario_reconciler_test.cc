#include "kubeheal/controllers/fault_scenario_reconciler.h"

#include <algorithm>
#include <set>
#include <tuple>
#include <vector>

#include <gtest/gtest.h>

#include "kubeheal/common/fake_clock.h"
#include "kubeheal/controllers/healing_policy_reconciler.h"
#include "kubeheal/controllers/testing/fake_kube_operations.h"
#include "kubeheal/policy/state_json.h"
#include "mocks.h"

namespace kubeheal::controllers {
namespace {

using namespace std::chrono_literals;
using ::testing::_;
using ::testing::Invoke;
using ::testing::Return;

Json Scenario(const std::string& extra_spec = "{}") {
  Json j = Json::parse(R"({
    "apiVersion": "kubeheal.io/v1alpha1", "kind": "FaultScenario",
    "metadata": {"name": "slow", "namespace": "shop", "uid": "u-1", "resourceVersion": "1",
                 "generation": 1},
    "spec": {"selector": {"matchLabels": {"app": "orders"}}, "mode": "all",
             "faults": [{"latency": {"delayMs": 300, "jitterMs": 0, "percent": 100}}],
             "duration": "2m"}})");
  j["spec"].merge_patch(Json::parse(extra_spec));
  return j;
}

// The API server is FakeKubeOperations (objects with resourceVersions, label selectors, a
// journal); the agents are a mock of our own AgentClient interface.
class FaultScenarioReconcilerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    kube_->PutSecret("shop", "kubeheal-agent-token", "token", "tok\n");
    kube_->PutPod(RunningPod("orders-a", "127.0.0.2", 19001));
    kube_->PutPod(RunningPod("orders-b", "127.0.0.3"));
    Put(Scenario());
  }

  void Put(Json scenario) { kube_->PutCustom("FaultScenario", std::move(scenario)); }
  // The scenario as the API server holds it now.
  Json Stored() const { return kube_->Custom("FaultScenario", "shop", "slow").value_or(Json()); }
  // Edits the stored scenario in place, as another client would.
  Json& Edit() { return *kube_->MutableCustom("FaultScenario", "shop", "slow"); }
  // The journal lines that start with `prefix`.
  std::vector<std::string> Journaled(const std::string& prefix) const {
    std::vector<std::string> lines;
    for (const auto& line : kube_->Journal()) {
      if (line.rfind(prefix, 0) == 0) lines.push_back(line);
    }
    return lines;
  }
  void PutGenerator(int replicas) {
    kube_->PutWorkload({{"kind", "Deployment"},
                        {"metadata", {{"name", "loadgen"}, {"namespace", "shop"}}},
                        {"spec", {{"replicas", replicas}}}});
  }
  int GeneratorReplicas() const {
    return kube_->Workload("Deployment", "shop", "loadgen").value()["spec"]["replicas"];
  }

  std::shared_ptr<FakeClock> clock_ = std::make_shared<FakeClock>();
  std::shared_ptr<FakeKubeOperations> kube_ = std::make_shared<FakeKubeOperations>();
  std::shared_ptr<MockAgentClient> agents_ = std::make_shared<MockAgentClient>();
  std::shared_ptr<ScenarioRegistry> registry_ = std::make_shared<ScenarioRegistry>();
  FaultScenarioReconciler reconciler_{
      kube_,
      agents_,
      std::make_shared<AgentTargets>(kube_, AgentSettings{}),
      registry_,
      std::make_shared<OperatorMetrics>(std::make_shared<prometheus::Registry>()),
      clock_};
};

TEST_F(FaultScenarioReconcilerTest, InjectsWithExpiryRenewsAndClearsAtTheEnd) {
  std::vector<std::pair<std::string, agentclient::AgentFault>> pushed;
  EXPECT_CALL(*agents_, PushFault(_, _))
      .WillRepeatedly(
          Invoke([&](const agentclient::AgentEndpoint& ep, const agentclient::AgentFault& f) {
            EXPECT_EQ(ep.token, "tok");
            pushed.emplace_back(ep.ToString(), f);
            return Result<Json>(Json::object());
          }));
  auto r = reconciler_.Reconcile("shop/slow");
  EXPECT_EQ(r.kind, kube::ReconcileResult::Kind::kRequeueAfter);
  EXPECT_EQ(r.requeue_after, 10s);
  EXPECT_EQ(Stored()["status"]["phase"], "Injecting");
  EXPECT_EQ(Stored()["metadata"]["finalizers"][0], api::kFaultScenarioFinalizer);
  ASSERT_EQ(pushed.size(), 2u);
  std::set<std::string> endpoints = {pushed[0].first, pushed[1].first};
  // The per-pod admin port annotation wins over the default port.
  EXPECT_EQ(endpoints, (std::set<std::string>{"127.0.0.2:19001", "127.0.0.3:9901"}));
  EXPECT_EQ(pushed[0].second.type, "latency");
  EXPECT_EQ(pushed[0].second.params["delayMs"], 300);
  EXPECT_EQ(pushed[0].second.ttl_seconds, 30);  // ends by itself if the operator dies
  EXPECT_EQ(Stored()["status"]["targets"].size(), 2u);
  EXPECT_EQ(Stored()["status"]["targets"][0]["injected"], true);

  clock_->Advance(10s);
  (void)reconciler_.Reconcile("shop/slow");  // renewal: same id, new expiry
  ASSERT_EQ(pushed.size(), 4u);
  EXPECT_EQ(pushed[2].second.id, pushed[0].second.id);

  clock_->Advance(105s);  // 5 s left: the expiry never outlives the scenario
  (void)reconciler_.Reconcile("shop/slow");
  EXPECT_NEAR(pushed.back().second.ttl_seconds, 5, 0.01);

  clock_->Advance(10s);
  std::vector<std::string> cleared;
  EXPECT_CALL(*agents_, ClearFault(_, _))
      .WillRepeatedly(Invoke([&](auto& ep, const std::string& id) {
        cleared.push_back(ep.ToString() + " " + id);
        return Status::Ok();
      }));
  r = reconciler_.Reconcile("shop/slow");
  EXPECT_EQ(r.kind, kube::ReconcileResult::Kind::kDone);
  EXPECT_EQ(Stored()["status"]["phase"], "Completed");
  EXPECT_EQ(cleared.size(), 2u);
  EXPECT_TRUE(Stored()["metadata"]["finalizers"].empty());
}

TEST_F(FaultScenarioReconcilerTest, DeletionClearsFaultsBeforeReleasingTheFinalizer) {
  EXPECT_CALL(*agents_, PushFault(_, _)).WillRepeatedly(Return(Result<Json>(Json::object())));
  (void)reconciler_.Reconcile("shop/slow");
  Edit()["metadata"]["deletionTimestamp"] = "2026-11-22T08:00:00Z";
  kube_->ClearJournal();
  EXPECT_CALL(*agents_, ClearFault(_, _)).Times(2).WillRepeatedly(Invoke([&](auto& ep, auto&) {
    kube_->Note("ClearFault " + ep.ToString());
    return Status::Ok();
  }));
  EXPECT_EQ(reconciler_.Reconcile("shop/slow").kind, kube::ReconcileResult::Kind::kDone);
  const auto journal = kube_->Journal();
  const auto release = std::find(journal.begin(), journal.end(),
                                 "PatchCustomMetadata FaultScenario shop/slow {\"finalizers\":[]}");
  ASSERT_NE(release, journal.end()) << ::testing::PrintToString(journal);
  EXPECT_EQ(std::count_if(journal.begin(), release,
                          [](const std::string& l) { return l.rfind("ClearFault ", 0) == 0; }),
            2)
      << "both faults cleared before the finalizer goes: " << ::testing::PrintToString(journal);
  EXPECT_TRUE(Stored()["metadata"]["finalizers"].empty());
}

TEST_F(FaultScenarioReconcilerTest, ModeChoosesTargetsDeterministically) {
  std::vector<Json> pods;
  for (int i = 0; i < 10; ++i) pods.push_back(RunningPod("p" + std::to_string(i), "10.0.0.1"));
  pods.push_back(Json{{"metadata", {{"name", "no-ip"}}}, {"status", {{"phase", "Pending"}}}});
  api::FaultScenarioSpec spec;
  spec.mode = "one";
  EXPECT_EQ(FaultScenarioReconciler::ChooseTargets(spec, pods, "x").size(), 1u);
  EXPECT_EQ(FaultScenarioReconciler::ChooseTargets(spec, pods, "x"),
            FaultScenarioReconciler::ChooseTargets(spec, pods, "x"));
  spec.mode = "fixed";
  spec.value = 3;
  EXPECT_EQ(FaultScenarioReconciler::ChooseTargets(spec, pods, "x").size(), 3u);
  spec.mode = "percent";
  spec.value = 25;
  EXPECT_EQ(FaultScenarioReconciler::ChooseTargets(spec, pods, "x").size(), 3u);  // ceil(2.5)
  spec.mode = "all";
  EXPECT_EQ(FaultScenarioReconciler::ChooseTargets(spec, pods, "x").size(), 10u);  // not "no-ip"
}

TEST_F(FaultScenarioReconcilerTest, VerdictFromThePolicysDetectionAndRecovery) {
  Put(Scenario(R"({"expect": {"policyRef": {"name": "orders"}, "detectWithin": "1m",
                              "healWithin": "5m", "actions": ["throttle"]}})"));
  EXPECT_CALL(*agents_, PushFault(_, _)).WillRepeatedly(Return(Result<Json>(Json::object())));
  EXPECT_CALL(*agents_, ClearFault(_, _)).WillRepeatedly(Return(Status::Ok()));
  policy::PolicyState state;
  // The policy as its reconciler would have written it.
  auto put_policy = [&] {
    kube_->PutCustom(
        "HealingPolicy",
        {{"kind", "HealingPolicy"},
         {"metadata", {{"name", "orders"}, {"namespace", "shop"}, {"annotations", Json::object()}}},
         {"status", {{"engineState", {{"engine", policy::PolicyStateToJson(state)}}}}}});
  };
  put_policy();
  (void)reconciler_.Reconcile("shop/slow");
  EXPECT_EQ(registry_->ActiveFor("shop/orders"), "shop/slow");
  EXPECT_FALSE(Stored()["status"].contains("verdict"));

  clock_->Advance(20s);
  state.last_detected_at = clock_->Now() - 2s;
  policy::HistoryEntry h;
  h.decision.action = policy::ActionType::kThrottle;
  h.decision.decided_at = clock_->Now();
  h.outcome = policy::Outcome::kSucceeded;
  state.history.push_back(h);
  put_policy();
  (void)reconciler_.Reconcile("shop/slow");
  EXPECT_EQ(Stored()["status"]["mttdSeconds"], 18.0);
  EXPECT_EQ(Stored()["status"]["mttd"], "18s");

  clock_->Advance(110s);  // scenario over (2m), faults removed
  (void)reconciler_.Reconcile("shop/slow");
  EXPECT_EQ(Stored()["status"]["phase"], "Completed");
  EXPECT_EQ(registry_->ActiveFor("shop/orders"), "");
  EXPECT_FALSE(Stored()["status"].contains("verdict"));

  clock_->Advance(15s);
  state.last_recovered_at = clock_->Now();
  put_policy();
  auto r = reconciler_.Reconcile("shop/slow");
  EXPECT_EQ(r.kind, kube::ReconcileResult::Kind::kDone);
  EXPECT_EQ(Stored()["status"]["verdict"], "Passed") << Stored()["status"].dump();
  EXPECT_EQ(Stored()["status"]["mttrSeconds"], 145.0);
  EXPECT_EQ(Stored()["status"]["actionsObserved"], Json::array({"throttle"}));
}

TEST_F(FaultScenarioReconcilerTest, UndetectedScenarioFails) {
  Put(Scenario(R"({"expect": {"policyRef": {"name": "orders"}, "detectWithin": "30s",
                              "healWithin": "5m"}})"));
  EXPECT_CALL(*agents_, PushFault(_, _)).WillRepeatedly(Return(Result<Json>(Json::object())));
  kube_->PutCustom("HealingPolicy", {{"kind", "HealingPolicy"},
                                     {"metadata", {{"name", "orders"}, {"namespace", "shop"}}}});
  (void)reconciler_.Reconcile("shop/slow");
  clock_->Advance(31s);
  (void)reconciler_.Reconcile("shop/slow");
  EXPECT_EQ(Stored()["status"]["verdict"], "Failed");
  EXPECT_NE(Stored()["status"]["verdictReason"].get<std::string>().find("did not detect"),
            std::string::npos);
}

TEST_F(FaultScenarioReconcilerTest, PodKillWithIntervalKillsANewPodEachRoundOnRecordFirst) {
  Json scenario = Scenario(R"({"mode": "one", "duration": "25s"})");
  scenario["spec"]["faults"] = Json::parse(R"([{"podKill": {"interval": "10s"}}])");
  Put(scenario);
  for (const auto* name : {"orders-a", "orders-b", "orders-c"}) {
    Json pod = RunningPod(name, "127.0.0.2");
    pod["metadata"]["creationTimestamp"] = "2026-01-01T00:00:00Z";
    kube_->PutPod(pod);
  }
  kube_->BeforeAction([&](const std::string& line) {
    // Every deletion is on record before it happens.
    const std::string prefix = "DeletePod shop/";
    ASSERT_EQ(line.rfind(prefix, 0), 0u) << line;
    const std::string pod = line.substr(prefix.size());
    bool recorded = false;
    const Json stored = Stored();  // not a range-for over a temporary's member: it would dangle
    for (const auto& t : stored["status"]["targets"]) recorded |= t["pod"] == pod;
    EXPECT_TRUE(recorded) << pod << " deleted before it was written to status";
  });
  auto deleted = [&] { return Journaled("DeletePod "); };
  auto r = reconciler_.Reconcile("shop/slow");
  ASSERT_EQ(deleted().size(), 1u);
  EXPECT_EQ(r.requeue_after, 10s);  // the next round, before the 10 s renewal
  clock_->Advance(5s);
  (void)reconciler_.Reconcile("shop/slow");
  EXPECT_EQ(deleted().size(), 1u);  // not due
  clock_->Advance(5s);
  r = reconciler_.Reconcile("shop/slow");
  ASSERT_EQ(deleted().size(), 2u);
  EXPECT_NE(deleted()[0], deleted()[1]);
  clock_->Advance(10s);
  (void)reconciler_.Reconcile("shop/slow");
  ASSERT_EQ(deleted().size(), 3u);
  clock_->Advance(6s);  // past the duration: no more kills, the scenario completes
  EXPECT_EQ(reconciler_.Reconcile("shop/slow").kind, kube::ReconcileResult::Kind::kDone);
  EXPECT_EQ(deleted().size(), 3u);
  EXPECT_TRUE(kube_->PodNames("shop").empty()) << "each round killed a pod not killed before";
  EXPECT_EQ(Stored()["status"]["phase"], "Completed");
  EXPECT_EQ(Stored()["status"]["targets"].size(), 3u);
  const Json stored = Stored();
  for (const auto& t : stored["status"]["targets"]) EXPECT_TRUE(t.contains("killedAt")) << t.dump();
}

TEST_F(FaultScenarioReconcilerTest, AgentFaultShapes) {
  api::FaultSpec f;
  f.type = "httpError";
  f.status = 503;
  f.percent = 40;
  auto a = FaultInjector::ToAgentFault(f, "id-1", 30);
  EXPECT_EQ(a.ToJson(), Json::parse(R"({"id":"id-1","type":"httpError","percent":40.0,
                                        "params":{"status":503},"ttlSeconds":30.0})"));
  f.type = "crash";
  a = FaultInjector::ToAgentFault(f, "id-2", 30);
  EXPECT_FALSE(a.ToJson().contains("percent"));  // process faults take no percent
}

// A scenario whose only fault scales the traffic generator has no pod targets: the spike is what
// it injected, so it completes (it used to end Failed/NothingInjected), and the generator goes
// back.
TEST_F(FaultScenarioReconcilerTest, TrafficSpikeOnlyScenarioCompletesAndRestoresTheGenerator) {
  Json scenario = Scenario();
  scenario["spec"]["faults"] =
      Json::parse(R"([{"trafficSpike": {"generatorRef": {"name": "loadgen"}, "replicas": 6}}])");
  Put(scenario);
  PutGenerator(1);
  (void)reconciler_.Reconcile("shop/slow");
  EXPECT_EQ(Stored()["status"]["phase"], "Injecting");
  EXPECT_EQ(GeneratorReplicas(), 6);
  clock_->Advance(10s);
  (void)reconciler_.Reconcile("shop/slow");  // renewal does not scale again
  EXPECT_EQ(Journaled("SetReplicas "),
            std::vector<std::string>{"SetReplicas Deployment shop/loadgen 6"});
  clock_->Advance(2min);
  (void)reconciler_.Reconcile("shop/slow");
  EXPECT_EQ(Stored()["status"]["phase"], "Completed");
  EXPECT_EQ(Journaled("SetReplicas "),
            (std::vector<std::string>{"SetReplicas Deployment shop/loadgen 6",
                                      "SetReplicas Deployment shop/loadgen 1"}));
  EXPECT_EQ(GeneratorReplicas(), 1);
}

// A hand-edited annotation that is not a count is not trusted (and does not crash the operator).
TEST_F(FaultScenarioReconcilerTest, GarbledGeneratorAnnotationIsNotReverted) {
  Json scenario = Scenario();
  scenario["spec"]["faults"] =
      Json::parse(R"([{"trafficSpike": {"generatorRef": {"name": "loadgen"}, "replicas": 6}}])");
  Put(scenario);
  PutGenerator(1);
  (void)reconciler_.Reconcile("shop/slow");
  EXPECT_EQ(GeneratorReplicas(), 6);
  Edit()["metadata"]["annotations"][kSpikePreviousReplicasAnnotation] = "one";
  clock_->Advance(3min);
  EXPECT_NO_THROW((void)reconciler_.Reconcile("shop/slow"));
  EXPECT_EQ(Stored()["status"]["phase"], "Completed");
  EXPECT_EQ(GeneratorReplicas(), 6) << "not reverted to a count it could not read";
}

TEST_F(FaultScenarioReconcilerTest, ANamespaceWithoutAgentTokenFailsAtOnceSayingWhichSecret) {
  auto kube = std::make_shared<FakeKubeOperations>();  // no Secret in shop
  kube->PutPod(RunningPod("orders-a", "127.0.0.2", 19001));
  kube->PutPod(RunningPod("orders-b", "127.0.0.3"));
  kube_ = kube;
  FaultScenarioReconciler reconciler(
      kube_, agents_, std::make_shared<AgentTargets>(kube_, AgentSettings{}), registry_,
      std::make_shared<OperatorMetrics>(std::make_shared<prometheus::Registry>()), clock_);
  EXPECT_CALL(*agents_, PushFault(_, _)).Times(0);
  Put(Scenario(R"({"expect": {"policyRef": {"name": "orders"}, "detectWithin": "1m",
                              "healWithin": "2m"}})"));
  auto r = reconciler.Reconcile("shop/slow");
  EXPECT_EQ(r.kind, kube::ReconcileResult::Kind::kDone);  // no retry: nothing can change it
  const Json st = Stored()["status"];
  EXPECT_EQ(st["phase"], "Failed");
  EXPECT_EQ(st["conditions"][0]["reason"], kNoAgentToken);
  const std::string message = st["conditions"][0]["message"];
  EXPECT_NE(message.find("create Secret shop/kubeheal-agent-token with key \"token\""),
            std::string::npos)
      << message;
  EXPECT_EQ(st["verdict"], "Failed");
  EXPECT_NE(st["verdictReason"].get<std::string>().find("kubeheal-agent-token"), std::string::npos);
  for (const auto& t : st["targets"]) EXPECT_EQ(t["error"], message);
  bool evented = false;
  for (const auto& e : kube_->Events()) {
    evented = evented || (e.reason == kNoAgentToken && e.message == message);
  }
  EXPECT_TRUE(evented);
  EXPECT_TRUE(Stored()["metadata"]["finalizers"].empty());  // nothing was injected
}

TEST_F(FaultScenarioReconcilerTest, PodKillNeedsNoAgentToken) {
  Put(Scenario(R"({"faults": [{"podKill": {}}]})"));
  (void)reconciler_.Reconcile("shop/slow");
  EXPECT_EQ(kube_->Calls("GetSecretValue"), 0);
  EXPECT_EQ(Journaled("DeletePod ").size(), 2u);
  EXPECT_EQ(Stored()["status"]["phase"], "Injecting");
}

// --action-namespaces and --protected-namespaces: a scenario elsewhere fails before anything
// is injected or any pod listed, with the reason in its status and an Event.
TEST_F(FaultScenarioReconcilerTest, AScenarioOutsideTheActionNamespacesIsRefusedBeforeInjecting) {
  for (const auto& [action, protect, says] :
       std::vector<std::tuple<std::vector<std::string>, std::vector<std::string>, std::string>>{
           {{"billing"}, {"kube-system"}, "namespace shop is not in --action-namespaces"},
           {{}, {"shop"}, "namespace shop is protected"}}) {
    Put(Scenario());
    const int listed = kube_->Calls("ListPods");
    const size_t events = kube_->Events().size();
    FaultScenarioReconcilerOptions options;
    options.action_namespaces = action;
    options.protected_namespaces = protect;
    FaultScenarioReconciler reconciler(
        kube_, agents_, std::make_shared<AgentTargets>(kube_, AgentSettings{}), registry_,
        std::make_shared<OperatorMetrics>(std::make_shared<prometheus::Registry>()), clock_,
        options);
    EXPECT_CALL(*agents_, PushFault(_, _)).Times(0);
    auto r = reconciler.Reconcile("shop/slow");
    EXPECT_EQ(r.kind, kube::ReconcileResult::Kind::kDone);
    EXPECT_EQ(kube_->Calls("ListPods"), listed);
    const auto all = kube_->Events();
    ASSERT_EQ(all.size(), events + 1);
    EXPECT_EQ(all.back().type, "Warning");
    EXPECT_EQ(all.back().reason, "NamespaceNotAllowed");
    EXPECT_EQ(Stored()["status"]["phase"], "Failed");
    const auto status = api::FaultScenarioStatusFromJson(Stored()["status"]);
    const auto* ready = api::FindCondition(status.conditions, "Ready");
    ASSERT_NE(ready, nullptr);
    EXPECT_EQ(ready->reason, "NamespaceNotAllowed");
    EXPECT_NE(ready->message.find(says), std::string::npos) << ready->message;
    EXPECT_FALSE(Stored()["metadata"].contains("finalizers")) << "nothing to clean up";
    ::testing::Mock::VerifyAndClearExpectations(agents_.get());
  }
}

}  // namespace
}  // namespace kubeheal::controllers
