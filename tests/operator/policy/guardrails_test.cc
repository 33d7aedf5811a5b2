// Guardrails: `for` hysteresis, cooldown (no restart loop), per-policy and operator-wide
// budgets, dry-run, suspend and protected namespaces.
#include <algorithm>
#include <string>

#include <gtest/gtest.h>

#include "policy_test_support.h"

namespace kubeheal::policy {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;
using testing_support::EngineHarness;
using testing_support::MakeRule;
using testing_support::Obs;

bool HasNote(const Evaluation& e, const std::string& text) {
  return std::any_of(e.notes.begin(), e.notes.end(),
                     [&](const std::string& n) { return n.find(text) != std::string::npos; });
}

int Count(const std::vector<Decision>& ds, ActionType type, bool revert = false) {
  return static_cast<int>(std::count_if(ds.begin(), ds.end(), [&](const Decision& d) {
    return d.action == type && d.revert == revert;
  }));
}

TEST(ForHysteresisTest, FlappingAnomalyNeverHoldsLongEnough) {
  EngineHarness h;
  // 20s anomalous, 10s normal, over and over: `for` is 30s, so it never counts.
  for (int i = 0; i < 20; ++i) {
    EXPECT_TRUE(h.Step(seconds(10), Obs().High("latency")).decisions.empty());
    EXPECT_TRUE(h.Step(seconds(10), Obs().High("latency")).decisions.empty());
    EXPECT_TRUE(h.Step(seconds(10), Obs()).decisions.empty());
  }
  // Held for 30s in a row, it does.
  h.Step(seconds(10), Obs().High("latency"));
  h.Step(seconds(20), Obs().High("latency"));
  EXPECT_TRUE(h.Step(seconds(9), Obs().High("latency")).decisions.empty());
  EXPECT_EQ(h.Step(seconds(1), Obs().High("latency")).decisions.size(), 1u);
}

TEST(ForHysteresisTest, MissingDataNeitherStartsNorResetsTheHold) {
  EngineHarness h;
  h.Step(seconds(0), Obs().High("latency"));
  h.Step(seconds(20), Obs().Missing("latency"));  // Prometheus hiccup: hold kept
  const auto acted = h.Step(seconds(10), Obs().High("latency"));
  EXPECT_EQ(acted.decisions.size(), 1u);
  // A signal that is missing from the start never triggers.
  EngineHarness quiet;
  quiet.Run(minutes(5), seconds(10), Obs().Missing("errors"));
  EXPECT_TRUE(quiet.all_decisions.empty());
}

TEST(ForHysteresisTest, PodsMustFailForPodFailureFor) {
  EngineHarness h;
  h.spec.pod_failure_for = seconds(60);
  h.Step(seconds(0), Obs().Crashing(1));
  EXPECT_TRUE(h.Step(seconds(50), Obs().Crashing(1)).decisions.empty());
  EXPECT_TRUE(h.Step(seconds(5), Obs()).decisions.empty());  // recovered alone: reset
  h.Step(seconds(5), Obs().Crashing(1));
  EXPECT_TRUE(h.Step(seconds(59), Obs().Crashing(1)).decisions.empty());
  EXPECT_EQ(h.Step(seconds(1), Obs().Crashing(1)).decisions.size(), 1u);
}

TEST(CooldownTest, NoRestartLoopWhenCrashesComeBack) {
  EngineHarness h;
  h.spec.pod_failure_for = seconds(0);
  h.spec.guardrails.cooldown = minutes(10);
  h.spec.actions.restart.verify_after = minutes(1);
  // For an hour the pods crash for a minute, come back for a minute, crash again...
  for (int cycle = 0; cycle < 30; ++cycle) {
    for (int i = 0; i < 6; ++i) {
      for (auto& d : h.Step(seconds(10), Obs().Crashing(2)).decisions) {
        if (!d.dry_run) h.Succeed(d);
      }
    }
    h.Run(minutes(1), seconds(10), Obs());
  }
  // At most one restart per cooldown: 60 minutes / 10 minutes.
  const int restarts = Count(h.all_decisions, ActionType::kRestart);
  EXPECT_GE(restarts, 2);
  EXPECT_LE(restarts, 6 + 1);
  for (size_t i = 1; i < h.all_decisions.size(); ++i) {
    const auto& d = h.all_decisions[i];
    if (d.action != ActionType::kRestart) continue;
    for (size_t j = 0; j < i; ++j) {
      const auto& prev = h.all_decisions[j];
      if (prev.action == ActionType::kRestart) {
        EXPECT_GE(d.decided_at - prev.decided_at, minutes(10));
      }
    }
  }
}

TEST(CooldownTest, HeldBackActionHappensOnceTheCooldownEnds) {
  EngineHarness h;
  h.spec.pod_failure_for = seconds(0);
  h.spec.guardrails.cooldown = minutes(5);
  h.spec.actions.restart.verify_after = seconds(30);
  const auto first = h.Step(seconds(1), Obs().Crashing(1));
  ASSERT_EQ(first.decisions.size(), 1u);
  h.Succeed(first.decisions[0]);
  h.Step(seconds(30), Obs());  // recovered
  const auto again = h.Step(seconds(30), Obs().Crashing(1));
  EXPECT_TRUE(again.decisions.empty());
  EXPECT_TRUE(HasNote(again, "cooldown")) << again.notes.at(0);
  EXPECT_EQ(again.phase, Phase::kAnomalous);
  EXPECT_TRUE(h.Step(seconds(200), Obs().Crashing(1)).decisions.empty());
  const auto after = h.Step(seconds(40), Obs().Crashing(1));  // 5 min after the first restart
  ASSERT_EQ(after.decisions.size(), 1u);
  EXPECT_EQ(after.decisions[0].action, ActionType::kRestart);
}

TEST(BudgetTest, PerPolicyBudgetHoldsActionsBackForAnHour) {
  EngineHarness h;
  h.spec.guardrails.max_actions_per_hour = 2;
  h.spec.guardrails.cooldown = seconds(0);
  h.spec.rules = {
      MakeRule("latency", Pattern::kLatency, {ActionType::kThrottle, ActionType::kAlert}, {}),
      MakeRule("traffic", Pattern::kTraffic, {ActionType::kScale, ActionType::kAlert}, {}),
      MakeRule("memory", Pattern::kMemory, {ActionType::kRestart}, {})};
  h.Step(seconds(0), Obs().High("latency").High("traffic").High("memory"));
  const auto acted = h.Step(seconds(30), Obs().High("latency").High("traffic").High("memory"));
  ASSERT_EQ(acted.decisions.size(), 2u);
  EXPECT_TRUE(HasNote(acted, "policy budget of 2 actions per hour"));
  for (const auto& d : acted.decisions) h.Succeed(d);
  // Still anomalous after verifyAfter: escalation is held back too.
  const auto later =
      h.Run(minutes(30), seconds(30), Obs().High("latency").High("traffic").High("memory"));
  EXPECT_TRUE(later.empty());
  // An hour after the first actions the budget is back.
  const auto next_hour =
      h.Run(minutes(31), seconds(30), Obs().High("latency").High("traffic").High("memory"));
  EXPECT_EQ(next_hour.size(), 2u);
}

TEST(BudgetTest, GlobalBudgetIsSharedByPolicies) {
  EngineHarness h(/*global_budget=*/1);
  PolicySpec other = testing_support::SeedPolicy();
  other.name = "payments";
  PolicyState other_state;
  h.Step(seconds(0), Obs().High("errors"));
  ASSERT_TRUE(h.engine.Evaluate(other, Obs().High("errors"), other_state).ok());
  const auto first = h.Step(seconds(30), Obs().High("errors"));
  ASSERT_EQ(first.decisions.size(), 1u);
  const auto second = h.engine.Evaluate(other, Obs().High("errors"), other_state);
  ASSERT_TRUE(second.ok());
  EXPECT_TRUE(second->decisions.empty());
  EXPECT_TRUE(HasNote(*second, "operator-wide budget of 1 actions per hour"));
  EXPECT_EQ(h.budget->UsedInLastHour(h.clock->Now()), 1);
  h.clock->Advance(minutes(61));
  const auto later = h.engine.Evaluate(other, Obs().High("errors"), other_state);
  EXPECT_EQ(later->decisions.size(), 1u);
}

TEST(DryRunTest, RecordsWhatWouldBeDoneAndConsumesNoBudget) {
  EngineHarness h(/*global_budget=*/1);
  h.spec.guardrails.dry_run = true;
  h.spec.guardrails.max_actions_per_hour = 1;
  h.Step(seconds(0), Obs().High("latency"));
  const auto acted = h.Step(seconds(30), Obs().High("latency"));
  ASSERT_EQ(acted.decisions.size(), 1u);
  const Decision& d = acted.decisions[0];
  EXPECT_TRUE(d.dry_run);
  EXPECT_EQ(d.action, ActionType::kThrottle);
  EXPECT_EQ(h.state.history.back().outcome, Outcome::kSucceeded);
  EXPECT_NE(h.state.history.back().message.find("dry run"), std::string::npos);
  EXPECT_EQ(h.budget->UsedInLastHour(h.clock->Now()), 0);
  // The would-be ladder goes on (nothing was done, so nothing recovers) without budget limits.
  const auto rest = h.Run(minutes(30), seconds(30), Obs().High("latency"));
  std::vector<ActionType> ladder;
  for (const auto& x : rest) {
    EXPECT_TRUE(x.dry_run);
    ladder.push_back(x.action);
  }
  EXPECT_EQ(ladder, (std::vector<ActionType>{ActionType::kScale, ActionType::kAlert}));
  EXPECT_EQ(h.state.phase, Phase::kExhausted);
  // Recovery "reverts" the would-be throttle and scale-out, as dry-run too.
  const auto recovered = h.Step(seconds(30), Obs().Replicas(4));
  ASSERT_EQ(recovered.decisions.size(), 2u);
  for (const auto& r : recovered.decisions) {
    EXPECT_TRUE(r.dry_run);
    EXPECT_TRUE(r.revert);
  }
}

TEST(SuspendTest, SuspendedPolicyDecidesNothingAndResumes) {
  EngineHarness h;
  h.spec.guardrails.suspend = true;
  const auto r = h.Run(minutes(10), seconds(10), Obs().High("errors"));
  EXPECT_TRUE(r.empty());
  EXPECT_EQ(h.state.phase, Phase::kSuspended);
  h.spec.guardrails.suspend = false;
  // The anomaly held while suspended, so `for` is already satisfied on resume.
  const auto resumed = h.Step(seconds(10), Obs().High("errors"));
  ASSERT_EQ(resumed.decisions.size(), 1u);
  EXPECT_EQ(resumed.decisions[0].action, ActionType::kCircuitBreak);
}

// A crash loop in `h.spec.namespace_name` for 30 minutes: one alert, no restart, `note` said.
void ExpectAlertsOnly(EngineHarness& h, const std::string& note) {
  h.Step(seconds(0), Obs().Crashing(3));
  const auto acted = h.Step(seconds(30), Obs().Crashing(3));
  ASSERT_EQ(acted.decisions.size(), 1u);
  EXPECT_EQ(acted.decisions[0].action, ActionType::kAlert);
  EXPECT_TRUE(HasNote(acted, note));
  const auto rest = h.Run(minutes(30), seconds(30), Obs().Crashing(3));
  EXPECT_EQ(Count(rest, ActionType::kRestart), 0);
  EXPECT_EQ(h.state.phase, Phase::kExhausted);
}

TEST(ProtectedNamespaceTest, OnlyAlertsInAProtectedNamespace) {
  EngineHarness h;
  h.spec.namespace_name = "kube-system";
  ExpectAlertsOnly(h, "namespace kube-system is protected");
}

TEST(ProtectedNamespaceTest, ProtectedListComesFromTheOptions) {
  EngineOptions options;
  options.protected_namespaces = {"payments-prod"};
  EngineHarness h(0, options);
  EXPECT_FALSE(h.engine.IsProtected("kube-system"));
  EXPECT_TRUE(h.engine.IsProtected("payments-prod"));
  h.spec.namespace_name = "payments-prod";
  h.spec.rules = {MakeRule("crash", Pattern::kCrash, {ActionType::kRestart}, {})};
  const auto r = h.Run(minutes(5), seconds(10), Obs().Crashing(1));
  EXPECT_TRUE(r.empty());
}

TEST(ActionNamespacesTest, OutsideTheAllowListOnlyAlertsAndSaysWhy) {
  EngineOptions options;
  options.action_namespaces = {"shop", "billing"};
  EngineHarness h(0, options);
  EXPECT_FALSE(h.engine.IsProtected("shop"));
  EXPECT_TRUE(h.engine.IsProtected("team-b"));
  EXPECT_TRUE(h.engine.IsProtected("kube-system")) << "protected stays protected";
  EXPECT_EQ(h.engine.ProtectedWhy("team-b"), "is not in --action-namespaces");
  EXPECT_EQ(h.engine.ProtectedWhy("kube-system"), "is protected");
  EXPECT_EQ(h.engine.ProtectedWhy("billing"), "");
  h.spec.namespace_name = "team-b";
  ExpectAlertsOnly(h, "namespace team-b is not in --action-namespaces");
}

TEST(ActionNamespacesTest, AnEmptyAllowListAllowsEveryNamespaceNotProtected) {
  EXPECT_EQ(NamespaceRefusal("team-b", {"kube-system"}, {}), "");
  EXPECT_EQ(NamespaceRefusal("kube-system", {"kube-system"}, {}), "is protected");
  EXPECT_EQ(NamespaceRefusal("kube-system", {"kube-system"}, {"kube-system"}), "is protected");
}

}  // namespace
}  // namespace kubeheal::policy
