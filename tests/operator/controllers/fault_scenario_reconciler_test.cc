#include <algorithm>
#include <set>
#include <tuple>
#include <vector>

#include <gtest/gtest.h>

#include "kubeheal/common/fake_clock.h"
#include "kubeheal/controllers/fault_scenario_reconciler.h"
#include "kubeheal/controllers/healing_policy_reconciler.h"
#include "kubeheal/policy/state_json.h"
#include "mocks.h"

namespace kubeheal::controllers {
namespace {

using namespace std::chrono_literals;
using ::testing::_;
using ::testing::AnyNumber;
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

class FaultScenarioReconcilerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ON_CALL(*kube_, GetSecretValue(_, _, _)).WillByDefault(Return(Result<std::string>("tok\n")));
    ON_CALL(*kube_, ListPods("shop", "app=orders"))
        .WillByDefault(Return(Result<std::vector<Json>>(std::vector<Json>{
            RunningPod("orders-a", "127.0.0.2", 19001), RunningPod("orders-b", "127.0.0.3")})));
    ON_CALL(*kube_, RecordEvent(_, _, _, _)).WillByDefault(Return(Status::Ok()));
    // The API server's answers: status writes and metadata patches are applied to `stored_`.
    ON_CALL(*kube_, GetCustom("FaultScenario", "shop", "slow")).WillByDefault(Invoke([this](auto&&...) {
      return Result<Json>(stored_);
    }));
    ON_CALL(*kube_, UpdateCustomStatus("FaultScenario", _)).WillByDefault(Invoke([this](auto&, const Json& o) {
      stored_["status"] = o["status"];
      return Result<Json>(stored_);
    }));
    ON_CALL(*kube_, PatchCustomMetadata("FaultScenario", _, _, _))
        .WillByDefault(Invoke([this](auto&, auto&, auto&, const Json& m) {
          stored_["metadata"].merge_patch(m);
          return Result<Json>(stored_);
        }));
    EXPECT_CALL(*kube_, RecordEvent(_, _, _, _)).Times(AnyNumber());
    EXPECT_CALL(*kube_, GetCustom(_, _, _)).Times(AnyNumber());
    EXPECT_CALL(*kube_, UpdateCustomStatus(_, _)).Times(AnyNumber());
    EXPECT_CALL(*kube_, PatchCustomMetadata(_, _, _, _)).Times(AnyNumber());
    EXPECT_CALL(*kube_, GetSecretValue(_, _, _)).Times(AnyNumber());
    EXPECT_CALL(*kube_, ListPods(_, _)).Times(AnyNumber());
  }

  std::shared_ptr<FakeClock> clock_ = std::make_shared<FakeClock>();
  std::shared_ptr<MockKubeOperations> kube_ = std::make_shared<MockKubeOperations>();
  std::shared_ptr<MockAgentClient> agents_ = std::make_shared<MockAgentClient>();
  std::shared_ptr<ScenarioRegistry> registry_ = std::make_shared<ScenarioRegistry>();
  FaultScenarioReconciler reconciler_{
      kube_, agents_, std::make_shared<AgentTargets>(kube_, AgentSettings{}), registry_,
      std::make_shared<OperatorMetrics>(std::make_shared<prometheus::Registry>()), clock_};
  Json stored_ = Scenario();
};

TEST_F(FaultScenarioReconcilerTest, InjectsWithExpiryRenewsAndClearsAtTheEnd) {
  std::vector<std::pair<std::string, agentclient::AgentFault>> pushed;
  EXPECT_CALL(*agents_, PushFault(_, _))
      .WillRepeatedly(Invoke([&](const agentclient::AgentEndpoint& ep, const agentclient::AgentFault& f) {
        EXPECT_EQ(ep.token, "tok");
        pushed.emplace_back(ep.ToString(), f);
        return Result<Json>(Json::object());
      }));
  auto r = reconciler_.Reconcile("shop/slow");
  EXPECT_EQ(r.kind, kube::ReconcileResult::Kind::kRequeueAfter);
  EXPECT_EQ(r.requeue_after, 10s);
  EXPECT_EQ(stored_["status"]["phase"], "Injecting");
  EXPECT_EQ(stored_["metadata"]["finalizers"][0], api::kFaultScenarioFinalizer);
  ASSERT_EQ(pushed.size(), 2u);
  std::set<std::string> endpoints = {pushed[0].first, pushed[1].first};
  // The per-pod admin port annotation wins over the default port.
  EXPECT_EQ(endpoints, (std::set<std::string>{"127.0.0.2:19001", "127.0.0.3:9901"}));
  EXPECT_EQ(pushed[0].second.type, "latency");
  EXPECT_EQ(pushed[0].second.params["delayMs"], 300);
  EXPECT_EQ(pushed[0].second.ttl_seconds, 30);  // ends by itself if the operator dies
  EXPECT_EQ(stored_["status"]["targets"].size(), 2u);
  EXPECT_EQ(stored_["status"]["targets"][0]["injected"], true);

  clock_->Advance(10s);
  (void)reconciler_.Reconcile("shop/slow");  // renewal: same id, new expiry
  ASSERT_EQ(pushed.size(), 4u);
  EXPECT_EQ(pushed[2].second.id, pushed[0].second.id);

  clock_->Advance(105s);  // 5 s left: the expiry never outlives the scenario
  (void)reconciler_.Reconcile("shop/slow");
  EXPECT_NEAR(pushed.back().second.ttl_seconds, 5, 0.01);

  clock_->Advance(10s);
  std::vector<std::string> cleared;
  EXPECT_CALL(*agents_, ClearFault(_, _)).WillRepeatedly(Invoke([&](auto& ep, const std::string& id) {
    cleared.push_back(ep.ToString() + " " + id);
    return Status::Ok();
  }));
  r = reconciler_.Reconcile("shop/slow");
  EXPECT_EQ(r.kind, kube::ReconcileResult::Kind::kDone);
  EXPECT_EQ(stored_["status"]["phase"], "Completed");
  EXPECT_EQ(cleared.size(), 2u);
  EXPECT_TRUE(stored_["metadata"]["finalizers"].empty());
}

TEST_F(FaultScenarioReconcilerTest, DeletionClearsFaultsBeforeReleasingTheFinalizer) {
  EXPECT_CALL(*agents_, PushFault(_, _)).WillRepeatedly(Return(Result<Json>(Json::object())));
  (void)reconciler_.Reconcile("shop/slow");
  stored_["metadata"]["deletionTimestamp"] = "2026-11-22T08:00:00Z";
  ::testing::InSequence order;
  EXPECT_CALL(*agents_, ClearFault(_, _)).Times(2).WillRepeatedly(Return(Status::Ok()));
  EXPECT_CALL(*kube_, PatchCustomMetadata("FaultScenario", "shop", "slow",
                                          Json{{"finalizers", Json::array()}}))
      .WillOnce(Return(Result<Json>(Json::object())));
  EXPECT_EQ(reconciler_.Reconcile("shop/slow").kind, kube::ReconcileResult::Kind::kDone);
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
  stored_ = Scenario(R"({"expect": {"policyRef": {"name": "orders"}, "detectWithin": "1m",
                                    "healWithin": "5m", "actions": ["throttle"]}})");
  EXPECT_CALL(*agents_, PushFault(_, _)).WillRepeatedly(Return(Result<Json>(Json::object())));
  EXPECT_CALL(*agents_, ClearFault(_, _)).WillRepeatedly(Return(Status::Ok()));
  const auto start = clock_->Now();
  policy::PolicyState state;
  Json policy = {{"metadata", {{"name", "orders"}, {"namespace", "shop"}, {"annotations", Json::object()}}}};
  EXPECT_CALL(*kube_, GetCustom("HealingPolicy", "shop", "orders"))
      .WillRepeatedly(Invoke([&](auto&&...) {
        policy["status"]["engineState"] = Json{{"engine", policy::PolicyStateToJson(state)}};
        return Result<Json>(policy);
      }));
  (void)reconciler_.Reconcile("shop/slow");
  EXPECT_EQ(registry_->ActiveFor("shop/orders"), "shop/slow");
  EXPECT_FALSE(stored_["status"].contains("verdict"));

  clock_->Advance(20s);
  state.last_detected_at = clock_->Now() - 2s;
  policy::HistoryEntry h;
  h.decision.action = policy::ActionType::kThrottle;
  h.decision.decided_at = clock_->Now();
  h.outcome = policy::Outcome::kSucceeded;
  state.history.push_back(h);
  (void)reconciler_.Reconcile("shop/slow");
  EXPECT_EQ(stored_["status"]["mttdSeconds"], 18.0);
  EXPECT_EQ(stored_["status"]["mttd"], "18s");

  clock_->Advance(110s);  // scenario over (2m), faults removed
  (void)reconciler_.Reconcile("shop/slow");
  EXPECT_EQ(stored_["status"]["phase"], "Completed");
  EXPECT_EQ(registry_->ActiveFor("shop/orders"), "");
  EXPECT_FALSE(stored_["status"].contains("verdict"));

  clock_->Advance(15s);
  state.last_recovered_at = clock_->Now();
  auto r = reconciler_.Reconcile("shop/slow");
  EXPECT_EQ(r.kind, kube::ReconcileResult::Kind::kDone);
  EXPECT_EQ(stored_["status"]["verdict"], "Passed") << stored_["status"].dump();
  EXPECT_EQ(stored_["status"]["mttrSeconds"], 145.0);
  EXPECT_EQ(stored_["status"]["actionsObserved"], Json::array({"throttle"}));
  (void)start;
}

TEST_F(FaultScenarioReconcilerTest, UndetectedScenarioFails) {
  stored_ = Scenario(R"({"expect": {"policyRef": {"name": "orders"}, "detectWithin": "30s",
                                    "healWithin": "5m"}})");
  EXPECT_CALL(*agents_, PushFault(_, _)).WillRepeatedly(Return(Result<Json>(Json::object())));
  EXPECT_CALL(*kube_, GetCustom("HealingPolicy", "shop", "orders"))
      .WillRepeatedly(Return(Result<Json>(Json{{"metadata", {{"name", "orders"}}}})));
  (void)reconciler_.Reconcile("shop/slow");
  clock_->Advance(31s);
  (void)reconciler_.Reconcile("shop/slow");
  EXPECT_EQ(stored_["status"]["verdict"], "Failed");
  EXPECT_NE(stored_["status"]["verdictReason"].get<std::string>().find("did not detect"),
            std::string::npos);
}

TEST_F(FaultScenarioReconcilerTest, PodKillWithIntervalKillsANewPodEachRoundOnRecordFirst) {
  stored_ = Scenario(R"({"mode": "one", "duration": "25s",
                         "faults": [{"podKill": {"interval": "10s"}}]})");
  stored_["spec"]["faults"] = Json::parse(R"([{"podKill": {"interval": "10s"}}])");
  std::vector<Json> pods = {RunningPod("orders-a", "127.0.0.2"), RunningPod("orders-b", "127.0.0.3"),
                            RunningPod("orders-c", "127.0.0.4")};
  for (auto& p : pods) p["metadata"]["creationTimestamp"] = "2026-01-01T00:00:00Z";
  ON_CALL(*kube_, ListPods("shop", "app=orders")).WillByDefault(Invoke([&](auto&&...) {
    return Result<std::vector<Json>>(pods);
  }));
  std::vector<std::string> deleted;
  EXPECT_CALL(*kube_, DeletePod("shop", _, 0)).WillRepeatedly(Invoke([&](auto&, const std::string& pod, int) {
    // Every deletion is on record before it happens.
    bool recorded = false;
    for (const auto& t : stored_["status"]["targets"]) recorded |= t["pod"] == pod;
    EXPECT_TRUE(recorded) << pod << " deleted before it was written to status";
    deleted.push_back(pod);
    pods.erase(std::remove_if(pods.begin(), pods.end(),
                              [&](const Json& p) { return p["metadata"]["name"] == pod; }),
               pods.end());
    return Status::Ok();
  }));
  auto r = reconciler_.Reconcile("shop/slow");
  ASSERT_EQ(deleted.size(), 1u);
  EXPECT_EQ(r.requeue_after, 10s);  // the next round, before the 10 s renewal
  clock_->Advance(5s);
  (void)reconciler_.Reconcile("shop/slow");
  EXPECT_EQ(deleted.size(), 1u);  // not due
  clock_->Advance(5s);
  r = reconciler_.Reconcile("shop/slow");
  ASSERT_EQ(deleted.size(), 2u);
  EXPECT_NE(deleted[0], deleted[1]);
  clock_->Advance(10s);
  (void)reconciler_.Reconcile("shop/slow");
  ASSERT_EQ(deleted.size(), 3u);
  clock_->Advance(6s);  // past the duration: no more kills, the scenario completes
  EXPECT_EQ(reconciler_.Reconcile("shop/slow").kind, kube::ReconcileResult::Kind::kDone);
  EXPECT_EQ(deleted.size(), 3u);
  EXPECT_EQ(stored_["status"]["phase"], "Completed");
  EXPECT_EQ(stored_["status"]["targets"].size(), 3u);
  for (const auto& t : stored_["status"]["targets"]) EXPECT_TRUE(t.contains("killedAt")) << t.dump();
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
// it injected, so it completes (it used to end Failed/NothingInjected), and the generator goes back.
TEST_F(FaultScenarioReconcilerTest, TrafficSpikeOnlyScenarioCompletesAndRestoresTheGenerator) {
  stored_ = Scenario(R"({"faults": null})");
  stored_["spec"]["faults"] = Json::parse(
      R"([{"trafficSpike": {"generatorRef": {"name": "loadgen"}, "replicas": 6}}])");
  EXPECT_CALL(*kube_, GetReplicas("Deployment", "shop", "loadgen")).WillOnce(Return(Result<int>(1)));
  ::testing::Sequence order;
  EXPECT_CALL(*kube_, SetReplicas("Deployment", "shop", "loadgen", 6)).InSequence(order)
      .WillOnce(Return(Status::Ok()));
  (void)reconciler_.Reconcile("shop/slow");
  EXPECT_EQ(stored_["status"]["phase"], "Injecting");
  clock_->Advance(10s);
  (void)reconciler_.Reconcile("shop/slow");  // renewal does not scale again
  EXPECT_CALL(*kube_, SetReplicas("Deployment", "shop", "loadgen", 1)).InSequence(order)
      .WillOnce(Return(Status::Ok()));
  clock_->Advance(2min);
  (void)reconciler_.Reconcile("shop/slow");
  EXPECT_EQ(stored_["status"]["phase"], "Completed");
}

// A hand-edited annotation that is not a count is not trusted (and does not crash the operator).
TEST_F(FaultScenarioReconcilerTest, GarbledGeneratorAnnotationIsNotReverted) {
  stored_["spec"]["faults"] = Json::parse(
      R"([{"trafficSpike": {"generatorRef": {"name": "loadgen"}, "replicas": 6}}])");
  EXPECT_CALL(*kube_, GetReplicas("Deployment", "shop", "loadgen")).WillOnce(Return(Result<int>(1)));
  EXPECT_CALL(*kube_, SetReplicas("Deployment", "shop", "loadgen", 6)).WillOnce(Return(Status::Ok()));
  (void)reconciler_.Reconcile("shop/slow");
  stored_["metadata"]["annotations"][kSpikePreviousReplicasAnnotation] = "one";
  clock_->Advance(3min);
  EXPECT_NO_THROW((void)reconciler_.Reconcile("shop/slow"));
  EXPECT_EQ(stored_["status"]["phase"], "Completed");
}

TEST_F(FaultScenarioReconcilerTest, ANamespaceWithoutAgentTokenFailsAtOnceSayingWhichSecret) {
  EXPECT_CALL(*kube_, GetSecretValue("shop", "kubeheal-agent-token", "token"))
      .WillRepeatedly(Return(Result<std::string>(Error::Terminal("NotFound", "not found", 404))));
  EXPECT_CALL(*agents_, PushFault(_, _)).Times(0);
  std::vector<std::pair<std::string, std::string>> events;
  EXPECT_CALL(*kube_, RecordEvent(_, _, _, _))
      .WillRepeatedly(Invoke([&](auto&, const std::string&, const std::string& reason,
                                 const std::string& message) {
        events.emplace_back(reason, message);
        return Status::Ok();
      }));
  stored_ = Scenario(R"({"expect": {"policyRef": {"name": "orders"}, "detectWithin": "1m",
                                    "healWithin": "2m"}})");
  auto r = reconciler_.Reconcile("shop/slow");
  EXPECT_EQ(r.kind, kube::ReconcileResult::Kind::kDone);  // no retry: nothing can change it
  const auto& st = stored_["status"];
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
  for (const auto& [reason, text] : events) evented = evented || (reason == kNoAgentToken && text == message);
  EXPECT_TRUE(evented);
  EXPECT_TRUE(stored_["metadata"]["finalizers"].empty());  // nothing was injected
}

TEST_F(FaultScenarioReconcilerTest, PodKillNeedsNoAgentToken) {
  EXPECT_CALL(*kube_, GetSecretValue(_, _, _)).Times(0);
  EXPECT_CALL(*kube_, DeletePod("shop", _, _)).Times(2).WillRepeatedly(Return(Status::Ok()));
  stored_ = Scenario(R"({"faults": [{"podKill": {}}]})");
  (void)reconciler_.Reconcile("shop/slow");
  EXPECT_EQ(stored_["status"]["phase"], "Injecting");
}

}  // namespace
}  // namespace kubeheal::controllers

namespace kubeheal::controllers {
namespace {

// --action-namespaces and --protected-namespaces: a scenario elsewhere fails before anything
// is injected or any pod listed, with the reason in its status and an Event.
TEST_F(FaultScenarioReconcilerTest, AScenarioOutsideTheActionNamespacesIsRefusedBeforeInjecting) {
  for (const auto& [action, protect, says] :
       std::vector<std::tuple<std::vector<std::string>, std::vector<std::string>, std::string>>{
           {{"billing"}, {"kube-system"}, "namespace shop is not in --action-namespaces"},
           {{}, {"shop"}, "namespace shop is protected"}}) {
    stored_ = Scenario();
    FaultScenarioReconcilerOptions options;
    options.action_namespaces = action;
    options.protected_namespaces = protect;
    FaultScenarioReconciler reconciler(
        kube_, agents_, std::make_shared<AgentTargets>(kube_, AgentSettings{}), registry_,
        std::make_shared<OperatorMetrics>(std::make_shared<prometheus::Registry>()), clock_, options);
    EXPECT_CALL(*agents_, PushFault(_, _)).Times(0);
    EXPECT_CALL(*kube_, ListPods(_, _)).Times(0);
    EXPECT_CALL(*kube_, RecordEvent(_, "Warning", "NamespaceNotAllowed", _)).Times(1);
    auto r = reconciler.Reconcile("shop/slow");
    EXPECT_EQ(r.kind, kube::ReconcileResult::Kind::kDone);
    EXPECT_EQ(stored_["status"]["phase"], "Failed");
    const auto status = api::FaultScenarioStatusFromJson(stored_["status"]);
    const auto* ready = api::FindCondition(status.conditions, "Ready");
    ASSERT_NE(ready, nullptr);
    EXPECT_EQ(ready->reason, "NamespaceNotAllowed");
    EXPECT_NE(ready->message.find(says), std::string::npos) << ready->message;
    EXPECT_FALSE(stored_["metadata"].contains("finalizers")) << "nothing to clean up";
    ::testing::Mock::VerifyAndClearExpectations(kube_.get());
    ::testing::Mock::VerifyAndClearExpectations(agents_.get());
  }
}

}  // namespace
}  // namespace kubeheal::controllers
