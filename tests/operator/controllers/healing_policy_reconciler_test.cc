#include "kubeheal/controllers/healing_policy_reconciler.h"

#include <algorithm>
#include <sstream>

#include <gtest/gtest.h>

#include "kubeheal/common/fake_clock.h"
#include "kubeheal/common/scripted_random_source.h"
#include "kubeheal/controllers/testing/fake_kube_operations.h"
#include "kubeheal/policy/state_json.h"
#include "kubeheal/prom/fake_prometheus_client.h"
#include "mocks.h"

namespace kubeheal::controllers {
namespace {

using namespace std::chrono_literals;
using ::testing::_;
using ::testing::Invoke;
using ::testing::Return;

constexpr const char* kQuery = R"(p99{namespace="shop",pod=~"orders-a|orders-b"})";

Json Policy(bool dry_run) {
  Json j = Json::parse(R"({
    "apiVersion": "kubeheal.io/v1alpha1", "kind": "HealingPolicy",
    "metadata": {"name": "orders", "namespace": "shop", "uid": "p-1", "generation": 1,
                 "resourceVersion": "1"},
    "spec": {"targetRef": {"kind": "Deployment", "name": "orders"}, "interval": "10s",
      "signals": [{"name": "p99", "pattern": "latency",
                   "query": "p99{namespace=\"{{namespace}}\",pod=~\"{{pod}}\"}",
                   "detector": {"type": "threshold", "params": {"above": 0.5}}, "for": "0s"}],
      "rules": [{"name": "latency", "when": {"pattern": "latency"}, "actions": ["throttle", "alert"]}],
      "actions": {"throttle": {"rps": 20, "burst": 40, "verifyAfter": "1m"}},
      "cooldown": "1m"}})");
  j["spec"]["dryRun"] = dry_run;
  return j;
}

class HealingPolicyReconcilerTest : public ::testing::Test {
 protected:
  void Init(bool dry_run) {
    kube_->PutCustom("HealingPolicy", Policy(dry_run));
    kube_->PutWorkload(Json::parse(R"({"apiVersion":"apps/v1","kind":"Deployment",
        "metadata":{"name":"orders","namespace":"shop"},
        "spec":{"replicas":2,"selector":{"matchLabels":{"app":"orders"}}}})"));
    kube_->PutPod(RunningPod("orders-a", "127.0.0.2"));
    kube_->PutPod(RunningPod("orders-b", "127.0.0.3"));
    kube_->PutSecret("shop", "kubeheal-agent-token", "token", "tok");
    Rebuild(FixedRandom(0.5));
  }

  // The policy as the API holds it (edits in place are another client's).
  Json& Stored() { return *kube_->MutableCustom("HealingPolicy", "shop", "orders"); }

  // What happened, in order: "status:<phase>" for a status write, "event:<kind>:<reason>",
  // "annotation" for a metadata patch, and the lines the test noted itself (agent calls).
  std::vector<std::string> Log() const {
    std::vector<std::string> log;
    for (const auto& line : kube_->Journal()) {
      std::istringstream words(line);
      std::string op, kind, where, last;
      words >> op >> kind >> where >> last;
      if (op == "UpdateCustomStatus") {
        log.push_back("status:" + last.substr(last.find('=') + 1));
      } else if (op == "RecordEvent") {
        log.push_back("event:" + kind + ":" + last);
      } else if (op == "PatchCustomMetadata") {
        log.push_back("annotation");
      } else {
        log.push_back(line);
      }
    }
    return log;
  }
  static bool Has(const std::vector<std::string>& log, const std::string& line) {
    return std::find(log.begin(), log.end(), line) != log.end();
  }

  // A reconciler on this fixture's fakes (a new one: nothing in memory).
  void Rebuild(std::shared_ptr<RandomSource> random, HealingPolicyReconcilerOptions options = {}) {
    auto targets = std::make_shared<AgentTargets>(kube_, AgentSettings{});
    auto executor = std::make_shared<ActionExecutor>(kube_, agents_, targets,
                                                     std::make_shared<MockAlertSender>(), clock_);
    budget_ = std::make_shared<policy::GlobalBudget>(0);  // a new process: an empty budget
    auto engine = std::make_shared<policy::DecisionEngine>(clock_, budget_);
    reconciler_ =
        std::make_unique<HealingPolicyReconciler>(kube_, prometheus_, engine, executor, registry_,
                                                  metrics_, clock_, std::move(random), options);
  }

  const api::Condition* Condition(const std::string& type) {
    static std::vector<api::Condition> conditions;
    conditions = api::HealingPolicyStatusFromJson(Stored()["status"]).conditions;
    return api::FindCondition(conditions, type);
  }

  // Prometheus answered and the signal's query is what is wrong: QueriesValid=False with
  // `reason` and a message containing `says`; PrometheusAvailable stays True.
  void ExpectQueryProblem(const std::string& reason, const std::string& says) {
    const auto* valid = Condition("QueriesValid");
    ASSERT_NE(valid, nullptr);
    EXPECT_EQ(valid->status, "False");
    EXPECT_EQ(valid->reason, reason);
    EXPECT_NE(valid->message.find(says), std::string::npos) << valid->message;
    const auto* available = Condition("PrometheusAvailable");  // replaces `valid`'s storage
    ASSERT_NE(available, nullptr);
    EXPECT_EQ(available->status, "True");
  }

  std::shared_ptr<FakeClock> clock_ = std::make_shared<FakeClock>();
  std::shared_ptr<FakeKubeOperations> kube_ = std::make_shared<FakeKubeOperations>();
  std::shared_ptr<MockAgentClient> agents_ = std::make_shared<MockAgentClient>();
  std::shared_ptr<prom::FakePrometheusClient> prometheus_ =
      std::make_shared<prom::FakePrometheusClient>();
  std::shared_ptr<ScenarioRegistry> registry_ = std::make_shared<ScenarioRegistry>();
  std::shared_ptr<OperatorMetrics> metrics_ =
      std::make_shared<OperatorMetrics>(std::make_shared<prometheus::Registry>());
  std::unique_ptr<HealingPolicyReconciler> reconciler_;
  std::shared_ptr<policy::GlobalBudget> budget_;
};

TEST_F(HealingPolicyReconcilerTest, DetectsRecordsThenThrottlesEveryPodAndReverts) {
  Init(false);
  prometheus_->SetValue(kQuery, 0.1);
  auto r = reconciler_->Reconcile("shop/orders");
  ASSERT_EQ(r.kind, kube::ReconcileResult::Kind::kRequeueAfter);
  EXPECT_EQ(r.requeue_after, 10s);  // interval, jitter centred
  EXPECT_EQ(Stored()["status"]["phase"], "Healthy");
  EXPECT_EQ(Condition("PrometheusAvailable")->status, "True");

  // Within the interval nothing is evaluated, whatever wakes the reconciler.
  prometheus_->SetValue(kQuery, 2.0);
  r = reconciler_->Reconcile("shop/orders");
  EXPECT_EQ(r.requeue_after, 10s);
  EXPECT_EQ(Stored()["status"]["phase"], "Healthy");

  clock_->Advance(10s);
  registry_->SetActive("shop/orders", "shop/slow-drill");
  std::vector<std::string> throttled;
  EXPECT_CALL(*agents_, SetThrottle(_, _))
      .Times(2)
      .WillRepeatedly(
          Invoke([&](const agentclient::AgentEndpoint& ep, const agentclient::ThrottleCommand& c) {
            kube_->Note("throttle:" + ep.host);
            EXPECT_EQ(c.rps, 20);
            EXPECT_EQ(*c.burst, 40);
            return Status::Ok();
          }));
  kube_->ClearJournal();
  (void)reconciler_->Reconcile("shop/orders");
  // Event on the policy and on the workload, then status, then the action.
  const auto log = Log();
  ASSERT_GE(log.size(), 6u) << ::testing::PrintToString(log);
  const auto first_throttle = std::find(log.begin(), log.end(), "throttle:127.0.0.2") - log.begin();
  const auto policy_event =
      std::find(log.begin(), log.end(), "event:HealingPolicy:HealingAction") - log.begin();
  const auto workload_event =
      std::find(log.begin(), log.end(), "event:Deployment:HealingAction") - log.begin();
  const auto status_write = std::find(log.begin(), log.end(), "status:Remediating") - log.begin();
  EXPECT_LT(policy_event, first_throttle);
  EXPECT_LT(workload_event, first_throttle);
  EXPECT_LT(status_write, first_throttle) << ::testing::PrintToString(log);
  auto status = api::HealingPolicyStatusFromJson(Stored()["status"]);
  ASSERT_FALSE(status.history.empty());
  EXPECT_EQ(status.history.back().action, "throttle");
  EXPECT_EQ(status.history.back().result, "Succeeded");
  EXPECT_EQ(status.history.back().scenario, "shop/slow-drill");
  EXPECT_EQ(status.history.back().evidence.at(0).value, 2.0);
  EXPECT_EQ(status.active_scenario, "shop/slow-drill");
  EXPECT_EQ(status.signals.at(0).anomalous, true);
  EXPECT_EQ(Condition("Anomalous")->status, "True");
  EXPECT_EQ(metrics_->ActionCount("throttle", "succeeded"), 1);
  EXPECT_EQ(metrics_->DetectionCount("shop/orders", "p99"), 1);
  EXPECT_TRUE(Stored()["status"]["engineState"]["engine"].is_object());
  EXPECT_FALSE(Stored()["metadata"].contains("annotations") &&
               Stored()["metadata"]["annotations"].contains(kEngineStateAnnotation));

  // Recovered after verifyAfter: the throttle is reverted on every agent.
  prometheus_->SetValue(kQuery, 0.1);
  clock_->Advance(61s);
  EXPECT_CALL(*agents_, ClearThrottle(_)).Times(2).WillRepeatedly(Return(Status::Ok()));
  (void)reconciler_->Reconcile("shop/orders");
  clock_->Advance(11s);
  (void)reconciler_->Reconcile("shop/orders");
  EXPECT_EQ(Condition("Anomalous")->status, "False");
}

TEST_F(HealingPolicyReconcilerTest, AThrottleInEffectIsRenewedAtEveryEvaluationWithAShortTtl) {
  Init(false);
  prometheus_->SetValue(kQuery, 0.1);
  (void)reconciler_->Reconcile("shop/orders");
  std::vector<agentclient::ThrottleCommand> sent;
  EXPECT_CALL(*agents_, SetThrottle(_, _))
      .WillRepeatedly(
          Invoke([&](const agentclient::AgentEndpoint&, const agentclient::ThrottleCommand& c) {
            sent.push_back(c);
            return Status::Ok();
          }));
  prometheus_->SetValue(kQuery, 2.0);
  clock_->Advance(10s);
  (void)reconciler_->Reconcile("shop/orders");
  ASSERT_EQ(sent.size(), 2u);  // applied on both pods
  // The agent keeps it 30 s (--fault-ttl; 3 intervals of 10 s) unless renewed, not maxDuration.
  ASSERT_TRUE(sent[0].ttl_seconds.has_value());
  EXPECT_DOUBLE_EQ(*sent[0].ttl_seconds, 30.0);
  const auto history = Stored()["status"]["history"].size();
  for (int i = 1; i <= 3; ++i) {
    clock_->Advance(10s);
    (void)reconciler_->Reconcile("shop/orders");
    ASSERT_EQ(sent.size(), 2u + 2u * i) << "not renewed at evaluation " << i;
    EXPECT_EQ(sent.back().rps, sent[0].rps);
    EXPECT_EQ(sent.back().burst, sent[0].burst);
    EXPECT_EQ(sent.back().ttl_seconds, sent[0].ttl_seconds);
  }
  // A renewal is not a new action: nothing more on record.
  EXPECT_EQ(Stored()["status"]["history"].size(), history);
  EXPECT_EQ(metrics_->ActionCount("throttle", "succeeded"), 1);
}

// A leader lost between recording a decision and acting on it (or before it recorded the
// outcome): the next process reads the state back, finds the decision without an outcome and
// carries it out once; the action is on record once.
TEST_F(HealingPolicyReconcilerTest, ANewProcessFinishesADecisionItsPredecessorOnlyRecorded) {
  Init(false);
  prometheus_->SetValue(kQuery, 0.1);
  (void)reconciler_->Reconcile("shop/orders");
  prometheus_->SetValue(kQuery, 2.0);
  clock_->Advance(10s);
  // The record reaches the API but its answer is lost (the process sees an error and acts on
  // nothing); the next process finds a decision without an outcome, as it would after a
  // SIGKILL between the record and the action.
  kube_->LoseAnswer("UpdateCustomStatus", Error::Retryable("Unavailable", "the process is gone"),
                    1);
  const int writes_before = kube_->Calls("UpdateCustomStatus");
  EXPECT_CALL(*agents_, SetThrottle(_, _)).Times(0);  // it saw its write fail: nothing executed
  (void)reconciler_->Reconcile("shop/orders");
  ::testing::Mock::VerifyAndClearExpectations(&*agents_);
  ASSERT_EQ(kube_->Calls("UpdateCustomStatus"), writes_before + 1);
  // What the API holds when the next process starts:
  ASSERT_EQ(Stored()["status"]["history"].back()["result"], "Pending") << Stored()["status"].dump();

  // The next process: nothing in memory.
  Rebuild(FixedRandom(0.5));
  std::vector<agentclient::ThrottleCommand> sent;
  EXPECT_CALL(*agents_, SetThrottle(_, _))
      .WillRepeatedly(
          Invoke([&](const agentclient::AgentEndpoint&, const agentclient::ThrottleCommand& c) {
            sent.push_back(c);
            return Status::Ok();
          }));
  clock_->Advance(10s);
  kube_->ClearJournal();
  (void)reconciler_->Reconcile("shop/orders");
  ASSERT_EQ(sent.size(), 2u) << "the recorded throttle was not carried out on both pods";
  int throttles = 0;
  const Json stored = Stored();  // a range-for over a temporary's member would dangle
  for (const auto& h : stored["status"]["history"]) {
    if (h["action"] == "throttle") {
      ++throttles;
      EXPECT_EQ(h["result"], "Succeeded") << h.dump();
      EXPECT_NE(h.value("message", "").find("resumed from an earlier process"), std::string::npos)
          << h.dump();
    }
  }
  EXPECT_EQ(throttles, 1) << "decided again instead of resumed: "
                          << Stored()["status"]["history"].dump(2);
  EXPECT_TRUE(Has(Log(), "event:HealingPolicy:ActionResumed")) << ::testing::PrintToString(Log());
}

TEST_F(HealingPolicyReconcilerTest, PrometheusDownMeansNoActionAndACondition) {
  Init(false);
  prometheus_->SetValue(kQuery, 0.1);
  (void)reconciler_->Reconcile("shop/orders");
  prometheus_->FailAll(Error::Retryable("Unavailable", "connection refused"));
  EXPECT_CALL(*agents_, SetThrottle(_, _)).Times(0);
  for (int i = 0; i < 3; ++i) {
    clock_->Advance(10s);
    (void)reconciler_->Reconcile("shop/orders");
  }
  const auto* c = Condition("PrometheusAvailable");
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->status, "False");
  EXPECT_NE(c->message.find("connection refused"), std::string::npos);
  EXPECT_EQ(Stored()["status"]["signals"][0]["error"].get<std::string>().rfind("query failed", 0),
            0u);

  prometheus_->Clear();
  prometheus_->SetValue(kQuery, 0.1);
  clock_->Advance(10s);
  (void)reconciler_->Reconcile("shop/orders");
  EXPECT_EQ(Condition("PrometheusAvailable")->status, "True");
}

prom::QueryResult Vector(std::vector<double> values) {
  prom::QueryResult r;
  for (size_t i = 0; i < values.size(); ++i) {
    r.series.push_back(
        prom::Series{{{"pod", "orders-" + std::to_string(i)}}, {prom::Sample{{}, values[i]}}});
  }
  return r;
}

TEST_F(HealingPolicyReconcilerTest, TooManySeriesAreNotUsedAndTheConditionSaysWhy) {
  Init(false);
  HealingPolicyReconcilerOptions options;
  options.max_series_per_signal = 3;
  Rebuild(FixedRandom(0.5), options);
  // Over the threshold of 0.5 in every series: used, this would throttle.
  prometheus_->SetResult(kQuery, Vector({5, 5, 5, 5, 5}));
  EXPECT_CALL(*agents_, SetThrottle(_, _)).Times(0);
  (void)reconciler_->Reconcile("shop/orders");
  ExpectQueryProblem("TooManySeries", "5 series, over the limit of 3");
  EXPECT_NE(
      Stored()["status"]["signals"][0]["error"].get<std::string>().find("--max-series-per-signal"),
      std::string::npos);

  // Within the cap the same values are used (and act).
  ::testing::Mock::VerifyAndClearExpectations(&*agents_);
  EXPECT_CALL(*agents_, SetThrottle(_, _)).Times(2).WillRepeatedly(Return(Status::Ok()));
  prometheus_->SetResult(kQuery, Vector({5, 5, 5}));
  clock_->Advance(10s);
  (void)reconciler_->Reconcile("shop/orders");
  EXPECT_EQ(Condition("QueriesValid")->status, "True");
}

TEST_F(HealingPolicyReconcilerTest, BadPromQLHasItsOwnReasonNotPrometheusUnavailable) {
  Init(false);
  prometheus_->SetResult(
      kQuery, Error::Terminal("BadData", "invalid parameter \"query\": 1:5: parse error"));
  EXPECT_CALL(*agents_, SetThrottle(_, _)).Times(0);
  (void)reconciler_->Reconcile("shop/orders");
  ExpectQueryProblem("InvalidQuery", "parse error");
  EXPECT_EQ(Stored()["status"]["signals"][0]["error"].get<std::string>().rfind("query rejected", 0),
            0u);
}

TEST_F(HealingPolicyReconcilerTest, AnAnswerOverTheSizeCapIsTheQuerysProblem) {
  Init(false);
  prometheus_->SetResult(
      kQuery, Error::Terminal("ResponseTooLarge", "the answer is more than 16777216 bytes"));
  EXPECT_CALL(*agents_, SetThrottle(_, _)).Times(0);
  (void)reconciler_->Reconcile("shop/orders");
  ExpectQueryProblem("ResponseTooLarge", "16777216 bytes");
}

TEST_F(HealingPolicyReconcilerTest, QueriesOfAnEvaluationEndByThePolicysInterval) {
  Init(false);
  HealingPolicyReconcilerOptions options;
  options.query_timeout = 60s;  // longer than the policy's interval of 10s
  Rebuild(FixedRandom(0.5), options);
  prometheus_->SetValue(kQuery, 0.1);
  (void)reconciler_->Reconcile("shop/orders");
  const auto timeouts = prometheus_->Timeouts();
  ASSERT_FALSE(timeouts.empty());
  for (const auto t : timeouts) EXPECT_LE(t, 10s);
  EXPECT_GT(timeouts.back(), 0ms);
}

TEST_F(HealingPolicyReconcilerTest, WarmUpReplaysTheLargestSeriesAtEachStepLikeTheLiveValue) {
  Init(false);
  Stored()["spec"]["signals"][0]["detector"] =
      Json::parse(R"({"type": "zscore", "params": {"min_points": 10}})");
  // Two pods: one near 1, one near 100. The live value is the larger; a warm-up that replayed
  // the first series would learn "about 1" and call the live 100 an anomaly.
  prom::QueryResult history;
  history.type = prom::ResultType::kMatrix;
  history.series.resize(2);
  for (int i = 30; i >= 1; --i) {
    const auto t = clock_->Now() - i * 10s;
    history.series[0].samples.push_back({t, i % 2 ? 0.9 : 1.1});
    history.series[1].samples.push_back({t, i % 2 ? 99.0 : 101.0});
  }
  prometheus_->SetRangeResult(kQuery, history);
  prometheus_->SetResult(kQuery, Vector({1.0, 100.0}));
  EXPECT_CALL(*agents_, SetThrottle(_, _)).Times(0);
  (void)reconciler_->Reconcile("shop/orders");
  const auto& signal = Stored()["status"]["signals"][0];
  EXPECT_EQ(signal.value("anomalous", true), false) << signal.dump();
  ASSERT_TRUE(signal.contains("expected") && signal["expected"].contains("low"))
      << "the detector was not warmed: " << signal.dump();
  EXPECT_GT(signal["expected"]["low"].get<double>(), 90.0) << signal.dump();
}

TEST_F(HealingPolicyReconcilerTest, DryRunRecordsButDoesNothing) {
  Init(true);
  prometheus_->SetValue(kQuery, 5.0);
  EXPECT_CALL(*agents_, SetThrottle(_, _)).Times(0);
  (void)reconciler_->Reconcile("shop/orders");
  auto status = api::HealingPolicyStatusFromJson(Stored()["status"]);
  ASSERT_FALSE(status.history.empty());
  EXPECT_EQ(status.history.back().result, "DryRun");
  EXPECT_TRUE(status.history.back().dry_run);
  EXPECT_TRUE(Has(Log(), "event:Deployment:DryRunAction")) << ::testing::PrintToString(Log());
  EXPECT_EQ(metrics_->ActionCount("throttle", "dry_run"), 1);
}

TEST_F(HealingPolicyReconcilerTest, InvalidSpecIsReportedNotRetried) {
  Init(false);
  Stored()["spec"]["signals"][0].erase("query");
  auto r = reconciler_->Reconcile("shop/orders");
  EXPECT_EQ(r.kind, kube::ReconcileResult::Kind::kTerminalError);
  const auto* c = Condition("SpecValid");
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->status, "False");
  EXPECT_NE(c->message.find("spec.signals[0].query"), std::string::npos);
}

TEST_F(HealingPolicyReconcilerTest, DeletedPolicyIsForgotten) {
  Init(false);
  EXPECT_EQ(reconciler_->Reconcile("shop/gone").kind, kube::ReconcileResult::Kind::kDone);
}

// Steady state: the live figures change every evaluation but are not worth an API write each
// time; they are refreshed every 30 s, and any real change is written at once.
TEST_F(HealingPolicyReconcilerTest, SteadyStateWritesStatusOnlyOnChangeOrRefresh) {
  Init(false);
  HealingPolicyReconcilerOptions options;
  options.status_refresh = 30s;
  Rebuild(FixedRandom(0.5), options);
  const auto writes = [this] { return kube_->Calls("UpdateCustomStatus"); };
  prometheus_->SetValue(kQuery, 0.1);
  (void)reconciler_->Reconcile("shop/orders");
  EXPECT_EQ(writes(), 1);
  for (double v : {0.11, 0.12}) {  // new values, nothing else changes
    clock_->Advance(10s);
    prometheus_->SetValue(kQuery, v);
    (void)reconciler_->Reconcile("shop/orders");
  }
  EXPECT_EQ(writes(), 1);
  clock_->Advance(10s);  // 30 s since the last write: refreshed
  (void)reconciler_->Reconcile("shop/orders");
  EXPECT_EQ(writes(), 2);
  EXPECT_EQ(Stored()["status"]["signals"][0]["value"], 0.12);
  clock_->Advance(10s);
  prometheus_->SetValue(kQuery, 2.0);  // anomalous: phase and severity change, written at once
  EXPECT_CALL(*agents_, SetThrottle(_, _)).WillRepeatedly(Return(Status::Ok()));
  (void)reconciler_->Reconcile("shop/orders");
  EXPECT_GE(writes(), 3);
  EXPECT_EQ(Stored()["status"]["phase"], "Remediating");
}

// Only the first wait is jittered (policies spread out); afterwards the cadence is exact, so a
// `for` of two intervals holds at the second evaluation after the first anomalous one.
TEST_F(HealingPolicyReconcilerTest, OnlyTheFirstWaitIsJitteredThenTheIntervalIsExact) {
  Init(false);
  Stored()["spec"]["signals"][0]["for"] = "20s";
  Rebuild(FixedRandom(0.0));
  prometheus_->SetValue(kQuery, 2.0);  // anomalous from the first evaluation
  auto r = reconciler_->Reconcile("shop/orders");
  EXPECT_EQ(r.requeue_after, 9s);  // -10%
  int throttles = 0;
  EXPECT_CALL(*agents_, SetThrottle(_, _)).WillRepeatedly(Invoke([&](auto&, auto&) {
    ++throttles;
    return Status::Ok();
  }));
  clock_->Advance(9s);
  r = reconciler_->Reconcile("shop/orders");
  EXPECT_EQ(r.requeue_after, 10s);
  EXPECT_EQ(throttles, 0);  // held 9 s of 20
  clock_->Advance(10s);
  r = reconciler_->Reconcile("shop/orders");
  EXPECT_EQ(r.requeue_after, 10s);
  EXPECT_EQ(throttles, 0);  // held 19 s of 20
  clock_->Advance(10s);
  (void)reconciler_->Reconcile("shop/orders");
  EXPECT_EQ(throttles, 2);  // 29 s: held, both pods throttled at the third evaluation
}

// The engine state is in status.engineState, where only a writer of the status subresource
// reaches. Each test throttles once with a first reconciler, then starts a second one (an
// operator restart) on what was stored.
class EngineStateTest : public HealingPolicyReconcilerTest {
 protected:
  void ThrottleOnce() {
    Init(false);
    EXPECT_CALL(*agents_, SetThrottle(_, _)).WillRepeatedly(Invoke([this](auto&, auto&) {
      ++throttles_;
      return Status::Ok();
    }));
    EXPECT_CALL(*agents_, ClearThrottle(_)).WillRepeatedly(Return(Status::Ok()));
    prometheus_->SetValue(kQuery, 2.0);
    (void)reconciler_->Reconcile("shop/orders");
    ASSERT_EQ(throttles_, 2) << "both pods throttled by the first reconciler";
  }
  // A second operator: nothing in memory, the stored object as it is now.
  void Restart() {
    Rebuild(FixedRandom(0.5));
    clock_->Advance(11s);
    (void)reconciler_->Reconcile("shop/orders");
  }
  bool HasAnnotation() {
    return Stored()["metadata"].contains("annotations") &&
           Stored()["metadata"]["annotations"].contains(kEngineStateAnnotation);
  }
  int Events(const std::string& reason) {
    const auto log = Log();
    return static_cast<int>(std::count(log.begin(), log.end(), "event:HealingPolicy:" + reason));
  }
  // Throttles decided and on record (the agents also get renewals of one in effect).
  int ThrottlesOnRecord() {
    int n = 0;
    for (const auto& h : Stored()["status"].value("history", Json::array()))
      n += h.value("action", "") == "throttle";
    return n;
  }
  int throttles_ = 0;
};

TEST_F(EngineStateTest, ARestartKeepsTheOpenEpisodeFromTheStatus) {
  ThrottleOnce();
  const int used = budget_->UsedInLastHour(clock_->Now());
  ASSERT_GT(used, 0);
  Restart();
  // The operator-wide budget counts the restored actions again (it was forgotten: issue 16).
  EXPECT_EQ(budget_->UsedInLastHour(clock_->Now()), used);
  EXPECT_EQ(ThrottlesOnRecord(), 1)
      << "the restarted operator throttled again: the episode was lost";
  EXPECT_EQ(Condition(kEngineStateValid)->status, "True");
  EXPECT_EQ(Condition(kEngineStateValid)->reason, "Restored");
  EXPECT_EQ(Stored()["status"]["phase"], "Remediating");
}

// What a tenant with `patch` on the policy can write: an annotation with an empty state (no
// episode, no cooldown, no budget used). It is not read while the status has a state, and it
// is removed.
TEST_F(EngineStateTest, AnAnnotationWrittenByAnEditorIsNotReadAndIsRemoved) {
  ThrottleOnce();
  Stored()["metadata"]["annotations"][kEngineStateAnnotation] =
      Json{{"engine", policy::PolicyStateToJson(policy::PolicyState{})}}.dump();
  Restart();
  EXPECT_EQ(ThrottlesOnRecord(), 1) << "the annotation reset the engine state";
  EXPECT_FALSE(HasAnnotation());
  EXPECT_EQ(Condition(kEngineStateValid)->reason, "Restored");
}

// A policy an earlier version evaluated: its state only in the annotation. Read once, then kept
// in the status and the annotation removed; nothing is lost on the upgrade.
TEST_F(EngineStateTest, AnEarlierVersionsAnnotationIsMigratedToTheStatus) {
  ThrottleOnce();
  const Json state = Stored()["status"]["engineState"];
  Stored()["status"].erase("engineState");
  Stored()["metadata"]["annotations"][kEngineStateAnnotation] = state.dump();
  Restart();
  EXPECT_EQ(ThrottlesOnRecord(), 1) << "the migrated episode was lost";
  EXPECT_EQ(Condition(kEngineStateValid)->reason, "Migrated");
  EXPECT_FALSE(HasAnnotation());
  EXPECT_EQ(Stored()["status"]["engineState"]["engine"]["episodes"], state["engine"]["episodes"]);
}

TEST_F(EngineStateTest, ACorruptStateIsReportedAndReplacedByAFreshOne) {
  ThrottleOnce();
  Stored()["status"]["engineState"]["engine"]["nextSequence"] = 0;
  kube_->ClearJournal();
  Restart();
  const auto* c = Condition(kEngineStateValid);
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->status, "False");
  EXPECT_EQ(c->reason, "Corrupt");
  EXPECT_NE(c->message.find("status.engineState.engine: "), std::string::npos) << c->message;
  EXPECT_NE(c->message.find("nextSequence"), std::string::npos) << c->message;
  EXPECT_NE(c->message.find("started fresh"), std::string::npos) << c->message;
  EXPECT_EQ(Events("EngineStateCorrupt"), 1);
  // Fresh: the anomaly opens a new episode and throttles; the new state is written back.
  EXPECT_EQ(throttles_, 4);
  auto fresh = policy::PolicyStateFromJson(Stored()["status"]["engineState"]["engine"]);
  ASSERT_TRUE(fresh.ok()) << fresh.error().message;

  // Reported once per (re)start, not per evaluation; the next restart reads the good state.
  clock_->Advance(10s);
  (void)reconciler_->Reconcile("shop/orders");
  EXPECT_EQ(Events("EngineStateCorrupt"), 1);
  Restart();
  EXPECT_EQ(Condition(kEngineStateValid)->reason, "Restored");
}

// An apiserver blip when the decisions are recorded: nothing is executed, and the next
// evaluation decides the same rung again. It used to mark the throttle Failed and escalate to
// the next rung (alert) at the next evaluation (issue 16, item 3).
TEST_F(EngineStateTest, AFailedRecordIsDecidedAgainOnTheSameRung) {
  Init(false);
  kube_->Fail("UpdateCustomStatus",
              Error::Retryable("ServiceUnavailable", "apiserver restarting", 503), 1);
  EXPECT_CALL(*agents_, SetThrottle(_, _)).WillRepeatedly(Invoke([this](auto&, auto&) {
    ++throttles_;
    return Status::Ok();
  }));
  prometheus_->SetValue(kQuery, 2.0);
  auto r = reconciler_->Reconcile("shop/orders");
  EXPECT_EQ(r.kind, kube::ReconcileResult::Kind::kRetryableError) << "the failed write is retried";
  EXPECT_EQ(throttles_, 0) << "executed without a record";
  EXPECT_EQ(budget_->UsedInLastHour(clock_->Now()), 0) << "the budget was given back";
  kube_->ClearJournal();
  clock_->Advance(10s);
  (void)reconciler_->Reconcile("shop/orders");
  EXPECT_EQ(throttles_, 2) << "the same rung, decided again";
  EXPECT_FALSE(Has(Log(), "event:Deployment:HealingAlert"))
      << "escalated to the next rung: " << ::testing::PrintToString(Log());
  auto status = api::HealingPolicyStatusFromJson(Stored()["status"]);
  ASSERT_FALSE(status.history.empty());
  EXPECT_EQ(status.history.back().action, "throttle");
  EXPECT_EQ(status.history.back().result, "Succeeded");
  for (const auto& h : status.history) EXPECT_NE(h.result, "Failed") << h.action;
  EXPECT_EQ(budget_->UsedInLastHour(clock_->Now()), 1);
}

// Removing the old annotation is housekeeping: when the patch is refused, the decision recorded
// in the status is carried out all the same.
TEST_F(EngineStateTest, ARefusedAnnotationRemovalDoesNotHoldTheActionBack) {
  Init(false);
  Stored()["metadata"]["annotations"][kEngineStateAnnotation] =
      Json{{"engine", policy::PolicyStateToJson(policy::PolicyState{})}}.dump();
  kube_->Fail("PatchCustomMetadata", Error::Terminal("Forbidden", "patch refused", 403));
  EXPECT_CALL(*agents_, SetThrottle(_, _)).WillRepeatedly(Invoke([this](auto&, auto&) {
    ++throttles_;
    return Status::Ok();
  }));
  prometheus_->SetValue(kQuery, 2.0);
  (void)reconciler_->Reconcile("shop/orders");
  EXPECT_EQ(throttles_, 2);
  EXPECT_TRUE(HasAnnotation());
  EXPECT_EQ(Condition(kEngineStateValid)->reason, "Migrated");
  EXPECT_TRUE(Stored()["status"]["engineState"]["engine"].is_object());
}

TEST(ReadStoredEngineStateTest, NamesWhereAndWhatDoesNotRead) {
  auto read = [](const Json& object) { return ReadStoredEngineState(object); };
  EXPECT_EQ(read(Json::object()).source, StoredEngineState::Source::kNone);
  EXPECT_TRUE(read(Json::object()).error.empty());
  Json o = {{"status", {{"engineState", "x"}}}};
  EXPECT_EQ(read(o).error, "status.engineState is not an object");
  const Json fresh = policy::PolicyStateToJson(policy::PolicyState{});
  o = {{"status", {{"engineState", {{"engine", fresh}, {"scenarioTags", {{"a", 1}}}}}}}};
  EXPECT_EQ(read(o).error, "status.engineState.scenarioTags[\"a\"] is not a string");
  o = {{"metadata", {{"annotations", {{kEngineStateAnnotation, "{not json"}}}}}};
  EXPECT_EQ(read(o).error, "annotation kubeheal.io/engine-state is not JSON");
  EXPECT_FALSE(read(o).state.has_value());
  o = {{"status", {{"engineState", {{"engine", Json::object()}}}}}};
  EXPECT_EQ(read(o).error, "status.engineState.engine: policy state: phase: missing");
  // The status wins over an annotation, whatever the annotation says.
  o = {{"metadata", {{"annotations", {{kEngineStateAnnotation, "{not json"}}}}},
       {"status", {{"engineState", {{"engine", fresh}}}}}};
  auto r = read(o);
  EXPECT_EQ(r.source, StoredEngineState::Source::kStatus);
  EXPECT_TRUE(r.error.empty()) << r.error;
  EXPECT_TRUE(r.state.has_value());
}

}  // namespace
}  // namespace kubeheal::controllers
