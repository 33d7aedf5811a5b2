#include "kubeheal/api/healing_policy.h"

#include <gtest/gtest.h>

namespace kubeheal::api {
namespace {

using namespace std::chrono_literals;

nlohmann::json ValidPolicy() {
  return nlohmann::json::parse(R"J({
    "apiVersion": "kubeheal.io/v1alpha1", "kind": "HealingPolicy",
    "metadata": {"name": "orders", "namespace": "shop", "generation": 2},
    "spec": {
      "targetRef": {"kind": "Deployment", "name": "orders"},
      "interval": "15s",
      "signals": [
        {"name": "p99_latency", "query": "histogram_quantile(0.99, rate(x{namespace=\"{{namespace}}\"}[1m]))",
         "detector": {"type": "zscore", "params": {"sensitivity": 3}}, "for": "30s"},
        {"name": "error_ratio", "query": "sum(rate(e[1m]))",
         "detector": {"type": "threshold", "params": {"above": 0.05}}}
      ],
      "rules": [{"name": "slow", "when": {"pattern": "custom", "signals": ["p99_latency"]},
                 "actions": ["throttle", "scale"]},
                {"name": "errors", "when": {"pattern": "errors", "unless": ["latency"]},
                 "actions": ["circuitBreak"]}],
      "actions": {"throttle": {"rps": 20, "burst": 40, "verifyAfter": "1m"},
                  "scale": {"step": 2, "minReplicas": 1, "maxReplicas": 6}},
      "cooldown": "2m", "maxActionsPerHour": 4, "dryRun": true
    }})J");
}

TEST(HealingPolicyTest, ParsesAValidPolicy) {
  auto p = HealingPolicyFromJson(ValidPolicy());
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_EQ(p->metadata.Key(), "shop/orders");
  EXPECT_EQ(p->spec.target_ref.name, "orders");
  EXPECT_EQ(p->spec.interval, 15s);
  ASSERT_EQ(p->spec.signals.size(), 2u);
  EXPECT_EQ(p->spec.signals[0].hold_for, 30s);
  EXPECT_EQ(p->spec.signals[0].pattern, "latency");
  EXPECT_EQ(p->spec.signals[0].params["sensitivity"], 3);
  EXPECT_EQ(p->spec.signals[1].detector, "threshold");
  EXPECT_EQ(p->spec.signals[1].params["above"], 0.05);
  EXPECT_EQ(p->spec.signals[1].hold_for, 1min);  // CRD default
  EXPECT_EQ(p->spec.signals[1].pattern, "errors");
  ASSERT_EQ(p->spec.rules.size(), 2u);
  EXPECT_EQ(p->spec.rules[0].actions, (std::vector<std::string>{"throttle", "scale"}));
  EXPECT_EQ(p->spec.rules[0].signals, (std::vector<std::string>{"p99_latency"}));
  EXPECT_EQ(p->spec.rules[1].unless, (std::vector<std::string>{"latency"}));
  EXPECT_EQ(p->spec.actions.throttle.rps, 20);
  EXPECT_EQ(p->spec.actions.VerifyAfter("throttle"), 1min);
  EXPECT_EQ(p->spec.actions.scale.max_replicas, 6);
  EXPECT_EQ(p->spec.cooldown, 2min);
  EXPECT_EQ(p->spec.max_actions_per_hour, 4);
  EXPECT_TRUE(p->spec.dry_run);
  EXPECT_FALSE(p->spec.suspend);
}

struct InvalidCase {
  const char* json_patch_path;  // JSON pointer
  nlohmann::json value;
  const char* expected_path_in_message;
};

TEST(HealingPolicyTest, NamesTheFieldPathOfEveryProblem) {
  const std::vector<InvalidCase> cases = {
      {"/spec/targetRef/name", "", "spec.targetRef.name"},
      {"/spec/targetRef/kind", "Pod", "spec.targetRef.kind"},
      {"/spec/interval", "fast", "spec.interval"},
      {"/spec/interval", "0s", "spec.interval"},
      {"/spec/signals/1/query", 7, "spec.signals[1].query"},
      {"/spec/signals/0/detector/type", "magic", "spec.signals[0].detector.type"},
      {"/spec/signals/1/name", "p99_latency", "spec.signals[1].name: duplicate"},
      {"/spec/rules/0/when/signals/0", "nope", "spec.rules[0].when.signals[0]"},
      {"/spec/rules/1/when/pattern", "sadness", "spec.rules[1].when.pattern"},
      {"/spec/cooldown", "1s", "spec.cooldown: must be at least spec.interval"},
      {"/spec/rules/1/actions/0", "reboot", "spec.rules[1].actions[0]"},
      {"/spec/actions/scale/minReplicas", 9, "spec.actions.scale.minReplicas"},
      {"/spec/actions/throttle/rps", -1, "spec.actions.throttle.rps"},
      {"/spec/maxActionsPerHour", "many", "spec.maxActionsPerHour"},
      {"/spec/dryRun", "yes", "spec.dryRun"},
      {"/spec/signals", nlohmann::json::array(), "spec.signals"},
  };
  for (const auto& c : cases) {
    auto j = ValidPolicy();
    j[nlohmann::json::json_pointer(c.json_patch_path)] = c.value;
    auto p = HealingPolicyFromJson(j);
    ASSERT_FALSE(p.ok()) << c.json_patch_path;
    EXPECT_EQ(p.error().code, "Invalid");
    EXPECT_FALSE(p.error().retryable());
    EXPECT_NE(p.error().message.find(c.expected_path_in_message), std::string::npos)
        << p.error().message;
  }
}

TEST(HealingPolicyTest, DefaultsToThePlaybookWhenNoRulesGiven) {
  auto j = ValidPolicy();
  j["spec"].erase("rules");
  auto p = HealingPolicyFromJson(j);
  ASSERT_TRUE(p.ok()) << p.error().message;
  ASSERT_EQ(p->spec.rules.size(), 6u);
  EXPECT_EQ(p->spec.rules[3].pattern, "latency");
  EXPECT_EQ(p->spec.rules[3].actions.front(), "throttle");
  EXPECT_EQ(p->spec.rules[3].unless, (std::vector<std::string>{"errors"}));
}

TEST(HealingPolicyTest, ReportsAllProblemsAtOnce) {
  auto j = ValidPolicy();
  j["spec"]["interval"] = "soon";
  j["spec"]["cooldown"] = "later";
  auto p = HealingPolicyFromJson(j);
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.error().message.find("spec.interval"), std::string::npos);
  EXPECT_NE(p.error().message.find("spec.cooldown"), std::string::npos);
}

TEST(HealingPolicyTest, StatusRoundTripsAndHistoryIsBounded) {
  HealingPolicyStatus st;
  st.phase = "Remediating";
  st.observed_generation = 2;
  st.signals.push_back({"p99_latency", 0.8, 0.05, 0.2, 7.5, "critical", 0.9, true,
                        "2026-11-22T08:00:00Z", "above band", ""});
  for (int i = 0; i < 30; ++i) {
    ActionRecord r;
    r.action = "throttle";
    r.result = "Succeeded";
    r.time = std::to_string(i);
    r.evidence.push_back({"p99_latency", "q", 0.8, 0.05, 0.2, 7.5, "critical"});
    st.AddHistory(r);
  }
  st.active_actions.push_back({"scale", "t0", "t1", 3});
  st.ladder = LadderState{"latency", 1, "t2"};
  EXPECT_EQ(st.history.size(), HealingPolicyStatus::kMaxHistory);
  EXPECT_EQ(st.history.back().time, "29");
  auto back = HealingPolicyStatusFromJson(ToJson(st));
  EXPECT_EQ(ToJson(back).dump(), ToJson(st).dump());
  EXPECT_EQ(back.last_action->time, "29");
  EXPECT_EQ(ToJson(st)["signals"][0]["expected"]["high"], 0.2);
  EXPECT_FALSE(ToJson(st)["lastAction"].contains("evidence"));
  EXPECT_EQ(back.active_actions[0].previous_replicas, 3);
  EXPECT_EQ(*back.signals[0].high, 0.2);
}

}  // namespace
}  // namespace kubeheal::api

namespace kubeheal::api {
namespace {

TEST(HealingPolicyDependsOnTest, ParsesNamesAndRejectsSelfDuplicatesAndNonObjects) {
  auto j = ValidPolicy();
  j["spec"]["dependsOn"] = nlohmann::json::parse(R"([{"name": "payments"}, {"name": "users"}])");
  auto p = HealingPolicyFromJson(j);
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_EQ(p->spec.depends_on, (std::vector<std::string>{"payments", "users"}));

  j["spec"]["dependsOn"] = nlohmann::json::parse(
      R"([{"name": "orders"}, {"name": "users"}, {"name": "users"}, "payments", {}])");
  auto bad = HealingPolicyFromJson(j);
  ASSERT_FALSE(bad.ok());
  const auto& m = bad.error().message;
  EXPECT_NE(m.find("spec.dependsOn[0].name: a policy cannot depend on itself"), std::string::npos)
      << m;
  EXPECT_NE(m.find("spec.dependsOn[2].name: \"users\" is listed twice"), std::string::npos) << m;
  EXPECT_NE(m.find("spec.dependsOn[3]: must be an object"), std::string::npos) << m;
  EXPECT_NE(m.find("spec.dependsOn[4].name"), std::string::npos) << m;
}

TEST(HealingPolicyDependsOnTest, WaitingOnRoundTrips) {
  HealingPolicyStatus st;
  st.waiting_on.push_back({"payments", "dependency", "latency", "latency of payments"});
  const auto back = HealingPolicyStatusFromJson(ToJson(st));
  ASSERT_EQ(back.waiting_on.size(), 1u);
  EXPECT_EQ(back.waiting_on[0].policy, "payments");
  EXPECT_EQ(back.waiting_on[0].relation, "dependency");
  EXPECT_EQ(back.waiting_on[0].rule, "latency");
  EXPECT_EQ(back.waiting_on[0].reason, "latency of payments");
  EXPECT_FALSE(ToJson(HealingPolicyStatus{}).contains("waitingOn"));
}

// Status is ours but read back from the API server: a null or mistyped field (an older
// operator, a hand edit) reads as absent instead of throwing out of the reconciler.
TEST(HealingPolicyStatusTest, NullAndMistypedFieldsReadAsAbsent) {
  const auto st = HealingPolicyStatusFromJson(nlohmann::json::parse(R"({
    "observedGeneration": null, "phase": null, "lastEvaluationTime": 5,
    "conditions": [{"type": "Anomalous", "status": null, "reason": null, "message": null,
                    "lastTransitionTime": null, "observedGeneration": "x"}],
    "signals": [{"name": null, "score": null, "severity": null, "confidence": "high",
                 "anomalous": null, "anomalousSince": null, "explanation": null, "error": null}],
    "lastAction": {"time": null, "action": null, "dryRun": null, "evidence": [{"signal": null, "score": null}]},
    "activeActions": [{"action": null, "since": null, "previousReplicas": null}],
    "ladder": {"rule": null, "step": null, "verifyAt": null},
    "actionsLastHour": null,
    "history": [{"time": null, "action": "throttle", "result": null, "scenario": null}],
    "activeScenario": null,
    "waitingOn": [{"policy": null, "relation": 1}, "x"]})"));
  EXPECT_EQ(st.phase, "");
  EXPECT_EQ(st.observed_generation, 0);
  ASSERT_EQ(st.conditions.size(), 1u);
  EXPECT_EQ(st.conditions[0].type, "Anomalous");
  EXPECT_EQ(st.conditions[0].status, "");
  ASSERT_EQ(st.signals.size(), 1u);
  EXPECT_EQ(st.signals[0].severity, "normal");
  EXPECT_FALSE(st.signals[0].anomalous);
  ASSERT_TRUE(st.ladder.has_value());
  EXPECT_EQ(st.ladder->step, 0);
  ASSERT_EQ(st.history.size(), 1u);
  EXPECT_EQ(st.history[0].action, "throttle");
  ASSERT_EQ(st.waiting_on.size(), 1u);
  EXPECT_EQ(st.waiting_on[0].policy, "");
}

}  // namespace
}  // namespace kubeheal::api
