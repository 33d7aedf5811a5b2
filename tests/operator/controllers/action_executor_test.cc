#include "kubeheal/controllers/action_executor.h"

#include <gtest/gtest.h>

#include "kubeheal/common/fake_clock.h"
#include "kubeheal/controllers/testing/fake_kube_operations.h"
#include "mocks.h"

namespace kubeheal::controllers {
namespace {

using ::testing::_;
using ::testing::Return;

constexpr const char* kRestartedAt = "kubectl.kubernetes.io/restartedAt";

// The API server is FakeKubeOperations (the workload and pods of the target, no agent token
// Secret); the agents and the webhook are mocks of our own interfaces.
class ActionExecutorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto p = api::HealingPolicyFromJson(Json::parse(R"({
      "metadata": {"name": "orders", "namespace": "shop"},
      "spec": {"targetRef": {"name": "orders"},
        "signals": [{"name": "p99", "query": "q", "detector": {"type": "zscore"}}],
        "actions": {"scale": {"minReplicas": 1, "maxReplicas": 3},
                    "alert": {"webhookURL": "http://127.0.0.1:9/hook", "severity": "critical"}}}})"));
    ASSERT_TRUE(p.ok()) << p.error().message;
    policy_ = *p;
    target_.policy = &policy_;
    kube_->PutWorkload({{"kind", "Deployment"},
                        {"metadata", {{"name", "orders"}, {"namespace", "shop"}}},
                        {"spec", {{"replicas", 2}}}});
    target_.workload = *kube_->Workload("Deployment", "shop", "orders");
    target_.pods = {RunningPod("orders-a", "127.0.0.2"), RunningPod("orders-b", "127.0.0.3")};
    for (const auto& pod : target_.pods) kube_->PutPod(pod);
  }

  Json StoredWorkload() const { return *kube_->Workload("Deployment", "shop", "orders"); }

  std::shared_ptr<FakeClock> clock_ = std::make_shared<FakeClock>();
  std::shared_ptr<FakeKubeOperations> kube_ = std::make_shared<FakeKubeOperations>();
  std::shared_ptr<MockAgentClient> agents_ = std::make_shared<MockAgentClient>();
  std::shared_ptr<MockAlertSender> alerts_ = std::make_shared<MockAlertSender>();
  // "shop" is the release namespace here: without its Secret it uses the token file.
  static AgentSettings ReleaseNamespaceShop() {
    AgentSettings s;
    s.fallback_token = "filetoken";
    s.release_namespace = "shop";
    return s;
  }
  ActionExecutor executor_{kube_, agents_,
                           std::make_shared<AgentTargets>(kube_, ReleaseNamespaceShop()), alerts_,
                           clock_};
  api::HealingPolicy policy_;
  ActionTarget target_;
};

TEST_F(ActionExecutorTest, ScaleStaysWithinMax) {
  policy::Decision d;
  d.action = policy::ActionType::kScale;
  d.parameters.from_replicas = 3;
  d.parameters.to_replicas = 5;
  auto r = executor_.Execute(d, target_);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_NE(r->find("from 2 to 3"), std::string::npos);
  EXPECT_EQ(StoredWorkload()["spec"]["replicas"], 3);
}

TEST_F(ActionExecutorTest, CircuitBreakArmsEveryAgentWithTheFallbackToken) {
  policy::Decision d;
  d.action = policy::ActionType::kCircuitBreak;
  d.parameters.circuit_duration = std::chrono::seconds(45);
  d.parameters.half_open_probes = 2;
  EXPECT_CALL(*agents_, SetCircuit(_, _))
      .Times(2)
      .WillRepeatedly(
          [](const agentclient::AgentEndpoint& ep, const agentclient::CircuitCommand& c) {
            EXPECT_EQ(ep.token, "filetoken");
            EXPECT_EQ(c.mode, "auto");
            EXPECT_EQ(*c.open_seconds, 45);
            EXPECT_EQ(*c.half_open_probes, 2);
            // The agent goes back to its earlier circuit by itself unless the operator renews:
            // after 3 intervals of the policy (30 s each), above the 30 s default.
            EXPECT_EQ(c.ttl_seconds.value_or(0), 90);
            return Status::Ok();
          });
  ASSERT_TRUE(executor_.Execute(d, target_).ok());
  d.revert = true;
  EXPECT_CALL(*agents_, SetCircuit(_, _)).Times(2).WillRepeatedly(Return(Status::Ok()));
  ASSERT_TRUE(executor_.Execute(d, target_).ok());
}

TEST_F(ActionExecutorTest, AgentActionFailsOnlyWhenNoAgentTookIt) {
  policy::Decision d;
  d.action = policy::ActionType::kThrottle;
  d.parameters.rps = 10;
  EXPECT_CALL(*agents_, SetThrottle(_, _))
      .WillOnce(Return(Status::Ok()))
      .WillOnce(Return(Status(Error::Retryable("AgentUnreachable", "refused"))));
  auto r = executor_.Execute(d, target_);
  ASSERT_TRUE(r.ok());
  EXPECT_NE(r->find("1/2 pods"), std::string::npos);
  EXPECT_CALL(*agents_, SetThrottle(_, _))
      .Times(2)
      .WillRepeatedly(Return(Status(Error::Retryable("AgentUnreachable", "refused"))));
  auto failed = executor_.Execute(d, target_);
  ASSERT_FALSE(failed.ok());
  EXPECT_TRUE(failed.error().retryable());
}

TEST_F(ActionExecutorTest, RestartRollingOrOnePodByEviction) {
  policy::Decision d;
  d.action = policy::ActionType::kRestart;
  d.decided_at = clock_->Now() - std::chrono::seconds(30);
  // The annotation carries the decision's time: the same decision carried out again (a new
  // leader resuming it) writes the same value and rolls nothing a second time.
  ASSERT_TRUE(executor_.Execute(d, target_).ok());
  ASSERT_TRUE(executor_.Resume(d, target_).ok());
  const std::string restart = "RolloutRestart Deployment shop/orders 2027-01-15T07:59:30Z";
  EXPECT_EQ(kube_->Journal(), (std::vector<std::string>{restart, restart}));
  EXPECT_EQ(StoredWorkload()["spec"]["template"]["metadata"]["annotations"][kRestartedAt],
            "2027-01-15T07:59:30Z");
  d.parameters.restart_mode = policy::RestartMode::kOnePod;
  target_.pods[1]["status"]["containerStatuses"] = {{{"restartCount", 4}, {"ready", false}}};
  ASSERT_TRUE(executor_.Execute(d, target_).ok());
  EXPECT_EQ(kube_->PodNames("shop"), std::vector<std::string>{"orders-a"});  // orders-b evicted
}

// Resuming an eviction an earlier process may have done: a pod new since the decision (the
// evicted one's replacement) or one being deleted says it was done; otherwise it is done now.
TEST_F(ActionExecutorTest, AResumedEvictionIsNotDoneTwice) {
  policy::Decision d;
  d.id = "orders-7";
  d.action = policy::ActionType::kRestart;
  d.parameters.restart_mode = policy::RestartMode::kOnePod;
  d.decided_at = clock_->Now() - std::chrono::seconds(30);
  target_.pods[0]["metadata"]["creationTimestamp"] = "2027-01-15T07:00:00Z";
  target_.pods[1]["metadata"]["creationTimestamp"] = "2027-01-15T07:59:45Z";  // after the decision
  auto r = executor_.Resume(d, target_);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_NE(r->find("already carried out"), std::string::npos) << *r;
  EXPECT_EQ(kube_->Calls("EvictPod"), 0);
  EXPECT_EQ(kube_->PodNames("shop").size(), 2u);
  target_.pods[1]["metadata"]["creationTimestamp"] = "2027-01-15T07:00:00Z";  // nothing new
  ASSERT_TRUE(executor_.Resume(d, target_).ok());
  EXPECT_EQ(kube_->Calls("EvictPod"), 1);
  EXPECT_EQ(kube_->PodNames("shop").size(), 1u);
}

TEST_F(ActionExecutorTest, AlertIsAnEventAndAnAlertmanagerShapedWebhook) {
  policy::Decision d;
  d.action = policy::ActionType::kAlert;
  d.rule = "latency";
  d.reason = "p99 above band";
  EXPECT_CALL(*alerts_, Send("http://127.0.0.1:9/hook", _))
      .WillOnce([](const std::string&, const Json& alerts) {
        EXPECT_TRUE(alerts.is_array());
        EXPECT_EQ(alerts[0]["labels"]["alertname"], "KubehealAnomaly");
        EXPECT_EQ(alerts[0]["labels"]["severity"], "critical");
        EXPECT_TRUE(alerts[0].contains("startsAt"));
        return Status::Ok();
      });
  auto r = executor_.Execute(d, target_);
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  EXPECT_EQ(*r, "alert recorded as an Event; webhook delivered");
  const auto events = kube_->Events();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, "Deployment");
  EXPECT_EQ(events[0].name, "orders");
  EXPECT_EQ(events[0].type, "Warning");
  EXPECT_EQ(events[0].reason, "HealingAlert");
}

// The sender's bounded reason is what the status says; the Event was recorded all the same.
TEST_F(ActionExecutorTest, AFailedWebhookIsAFailedAlertWithTheReason) {
  policy::Decision d;
  d.action = policy::ActionType::kAlert;
  d.rule = "latency";
  EXPECT_CALL(*alerts_, Send(_, _))
      .WillOnce(Return(
          Status(Error::Terminal("WebhookTargetRefused", "127.0.0.1 is loopback (127.0.0.0/8)"))));
  auto r = executor_.Execute(d, target_);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "WebhookTargetRefused");
  EXPECT_EQ(r.error().message,
            "alert recorded as an Event; webhook failed: 127.0.0.1 is loopback (127.0.0.0/8)");
  const auto events = kube_->Events();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].reason, "HealingAlert");
}

TEST_F(ActionExecutorTest, AgentActionsInANamespaceWithoutItsSecretFailWithNoAgentToken) {
  // A tenant's namespace: its policy and pods are there, the token file is not for it.
  policy_.metadata.namespace_ = "team-b";
  for (auto& pod : target_.pods) pod["metadata"]["namespace"] = "team-b";
  EXPECT_CALL(*agents_, SetThrottle(_, _)).Times(0);
  EXPECT_CALL(*agents_, SetCircuit(_, _)).Times(0);
  policy::Decision d;
  d.action = policy::ActionType::kThrottle;
  d.parameters.rps = 10;
  for (auto action : {policy::ActionType::kThrottle, policy::ActionType::kCircuitBreak}) {
    d.action = action;
    auto r = executor_.Execute(d, target_);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, kNoAgentToken);
    EXPECT_FALSE(r.error().retryable());
    EXPECT_NE(r.error().message.find("create Secret team-b/kubeheal-agent-token"),
              std::string::npos)
        << r.error().message;
  }
}

TEST_F(ActionExecutorTest, PodsOfAnotherNamespaceAreNotActedOn) {
  target_.pods[1]["metadata"]["namespace"] = "team-a";
  EXPECT_CALL(*agents_, SetThrottle(_, _))
      .WillOnce([](const agentclient::AgentEndpoint& ep, const agentclient::ThrottleCommand&) {
        EXPECT_EQ(ep.host, "127.0.0.2");
        return Status::Ok();
      });
  policy::Decision d;
  d.action = policy::ActionType::kThrottle;
  d.parameters.rps = 10;
  auto r = executor_.Execute(d, target_);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_NE(r->find("on 1/1 pods"), std::string::npos) << *r;
}

}  // namespace
}  // namespace kubeheal::controllers
