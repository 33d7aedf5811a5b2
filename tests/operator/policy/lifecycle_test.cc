// After an action: verification at verifyAfter, escalation up the ladder, revert of temporary
// actions and scale-back on recovery, failed outcomes, and the phase through it all.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "policy_test_support.h"

namespace kubeheal::policy {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;
using testing_support::EngineHarness;
using testing_support::MakeRule;
using testing_support::Obs;

TEST(EscalationTest, ClimbsTheLadderOneRungPerVerifyAfterThenExhausts) {
  EngineHarness h;
  h.spec.actions.throttle.verify_after = seconds(60);
  h.spec.actions.scale.verify_after = seconds(90);
  h.spec.actions.restart.verify_after = seconds(120);
  h.spec.actions.alert.verify_after = seconds(60);
  const auto slow = Obs().High("latency");
  h.Step(seconds(0), slow);
  const auto throttle = h.Step(seconds(30), slow);
  ASSERT_EQ(throttle.decisions.size(), 1u);
  EXPECT_EQ(throttle.decisions[0].action, ActionType::kThrottle);
  h.Succeed(throttle.decisions[0]);
  EXPECT_TRUE(h.Step(seconds(59), slow).decisions.empty());  // verifyAfter not reached
  const auto scale = h.Step(seconds(1), slow);
  ASSERT_EQ(scale.decisions.size(), 1u);
  EXPECT_EQ(scale.decisions[0].action, ActionType::kScale);
  EXPECT_EQ(scale.decisions[0].rung, 1);
  EXPECT_NE(scale.decisions[0].reason.find("escalating"), std::string::npos)
      << scale.decisions[0].reason;
  EXPECT_EQ(scale.phase, Phase::kRemediating);
  h.Succeed(scale.decisions[0]);
  const auto alert = h.Step(seconds(90), slow);
  ASSERT_EQ(alert.decisions.size(), 1u);
  EXPECT_EQ(alert.decisions[0].action, ActionType::kAlert);
  h.Succeed(alert.decisions[0]);
  const auto exhausted = h.Step(seconds(60), slow);
  EXPECT_TRUE(exhausted.decisions.empty());
  EXPECT_EQ(exhausted.phase, Phase::kExhausted);
  EXPECT_TRUE(h.Run(minutes(30), seconds(30), slow).empty());  // no more actions, no loop
}

TEST(RevertTest, RecoveryRevertsThrottleAndPhaseGoesRecoveredThenHealthy) {
  EngineOptions options;
  options.recovered_hold = seconds(120);
  EngineHarness h(0, options);
  h.Step(seconds(0), Obs().High("latency"));
  const auto acted = h.Step(seconds(30), Obs().High("latency"));
  ASSERT_EQ(acted.decisions.size(), 1u);
  h.Succeed(acted.decisions[0]);
  // Normal 30 s after the throttle: recovery is recognised once normal has lasted `for`
  // (30 s), which falls on verifyAfter (60 s) here; the throttle is reverted then.
  EXPECT_TRUE(h.Step(seconds(30), Obs()).decisions.empty());
  EXPECT_EQ(h.state.phase, Phase::kRemediating);
  const auto verified = h.Step(seconds(30), Obs());
  ASSERT_EQ(verified.decisions.size(), 1u);
  const Decision& revert = verified.decisions[0];
  EXPECT_TRUE(revert.revert);
  EXPECT_EQ(revert.action, ActionType::kThrottle);
  EXPECT_EQ(revert.rule, "latency");
  EXPECT_EQ(revert.pattern, Pattern::kLatency);
  EXPECT_NE(revert.reason.find(acted.decisions[0].id), std::string::npos);
  EXPECT_EQ(verified.phase, Phase::kRecovered);
  EXPECT_EQ(h.state.last_recovered_at, h.clock->Now());
  h.Succeed(revert);
  EXPECT_TRUE(h.Step(seconds(60), Obs()).decisions.empty());
  EXPECT_EQ(h.state.phase, Phase::kRecovered);
  EXPECT_EQ(h.Step(seconds(60), Obs()).phase, Phase::kHealthy);
}

TEST(RevertTest, RecoveryBeforeVerifyAfterCountsOnceNormalHeldForButKeepsTheActionUntilThen) {
  EngineHarness h;
  h.spec.actions.circuit_break.verify_after = minutes(3);
  h.Step(seconds(0), Obs().High("errors"));
  const auto opened = h.Step(seconds(30), Obs().High("errors"));
  ASSERT_EQ(opened.decisions.size(), 1u);
  ASSERT_EQ(opened.decisions[0].action, ActionType::kCircuitBreak);
  h.Succeed(opened.decisions[0]);
  const auto acted_at = h.clock->Now();
  // Normal at +15 s, a relapse at +30 s (the calm starts again), normal from +45 s on.
  EXPECT_TRUE(h.Step(seconds(15), Obs()).decisions.empty());
  EXPECT_TRUE(h.Step(seconds(15), Obs().High("errors")).decisions.empty());
  EXPECT_EQ(h.state.phase, Phase::kRemediating);
  EXPECT_TRUE(h.Step(seconds(15), Obs()).decisions.empty());
  EXPECT_TRUE(h.Step(seconds(15), Obs().Missing("errors")).decisions.empty());  // no verdict
  EXPECT_EQ(h.state.phase, Phase::kRemediating);
  EXPECT_FALSE(h.state.last_recovered_at.has_value());
  // +75 s: normal for 30 s (the `for` of the errors signal), long before verifyAfter (3 min).
  const auto recovered = h.Step(seconds(15), Obs());
  EXPECT_TRUE(recovered.decisions.empty()) << "the circuit stays open until verifyAfter";
  EXPECT_EQ(recovered.phase, Phase::kRecovered);
  ASSERT_TRUE(h.state.last_recovered_at.has_value());
  EXPECT_EQ(*h.state.last_recovered_at - acted_at, seconds(75));
  ASSERT_EQ(h.state.episodes.size(), 1u);  // kept until verifyAfter: a relapse escalates
  EXPECT_TRUE(h.state.episodes[0].recovered_at.has_value());
  // Closed at verifyAfter (3 min after opening), not before; the recovery time stays +75 s.
  EXPECT_TRUE(h.Step(seconds(100), Obs()).decisions.empty());
  const auto closed = h.Step(seconds(5), Obs());
  ASSERT_EQ(closed.decisions.size(), 1u);
  EXPECT_TRUE(closed.decisions[0].revert);
  EXPECT_EQ(closed.decisions[0].action, ActionType::kCircuitBreak);
  EXPECT_EQ(h.clock->Now() - acted_at, minutes(3));
  EXPECT_EQ(*h.state.last_recovered_at - acted_at, seconds(75));
  EXPECT_TRUE(h.state.episodes.empty());
  EXPECT_EQ(closed.phase, Phase::kRecovered);
}

TEST(RevertTest, RelapseAfterAnEarlyRecoveryEscalatesAtVerifyAfter) {
  EngineHarness h;
  h.spec.actions.restart.verify_after = minutes(3);
  h.Step(seconds(0), Obs().Crashing(1));
  const auto restart = h.Step(seconds(30), Obs().Crashing(1));
  ASSERT_EQ(restart.decisions.size(), 1u);
  ASSERT_EQ(restart.decisions[0].action, ActionType::kRestart);
  h.Succeed(restart.decisions[0]);
  // Fresh pods look fine for a minute (recovered), then crash again.
  EXPECT_TRUE(h.Step(seconds(30), Obs()).decisions.empty());
  EXPECT_TRUE(h.Step(seconds(30), Obs()).decisions.empty());
  EXPECT_EQ(h.state.phase, Phase::kRecovered);
  EXPECT_TRUE(h.Step(seconds(30), Obs().Crashing(1)).decisions.empty());
  EXPECT_EQ(h.state.phase, Phase::kRemediating);
  // No second restart from the bottom of the ladder: at verifyAfter the episode escalates.
  EXPECT_TRUE(h.Step(seconds(60), Obs().Crashing(1)).decisions.empty());
  const auto escalated = h.Step(seconds(30), Obs().Crashing(1));
  ASSERT_EQ(escalated.decisions.size(), 1u);
  EXPECT_EQ(escalated.decisions[0].action, ActionType::kAlert);
  EXPECT_NE(escalated.decisions[0].reason.find("escalating"), std::string::npos);
}

TEST(RevertTest, EarlyRecoveryDoesNotSkipEscalationWhenTheAnomalyReturns) {
  EngineHarness h;
  h.spec.actions.throttle.verify_after = minutes(2);
  h.ActOnce(Obs().High("latency"));
  // Normal for 15 s only (less than `for`), then slow again: no recovery; escalation at 2 min.
  EXPECT_TRUE(h.Step(seconds(15), Obs()).decisions.empty());
  EXPECT_TRUE(h.Step(seconds(15), Obs().High("latency")).decisions.empty());
  EXPECT_FALSE(h.state.last_recovered_at.has_value());
  const auto escalated = h.Step(seconds(90), Obs().High("latency"));
  ASSERT_EQ(escalated.decisions.size(), 1u);
  EXPECT_EQ(escalated.decisions[0].action, ActionType::kScale);
}

TEST(RevertTest, ThrottleIsLiftedAfterMaxDurationEvenIfNotRecovered) {
  EngineHarness h;
  h.spec.actions.throttle.max_duration = seconds(45);
  h.spec.actions.throttle.verify_after = seconds(60);
  h.ActOnce(Obs().High("latency"));
  EXPECT_TRUE(h.Step(seconds(30), Obs().High("latency")).decisions.empty());
  const auto lifted = h.Step(seconds(15), Obs().High("latency"));
  ASSERT_EQ(lifted.decisions.size(), 1u);
  EXPECT_EQ(lifted.decisions[0].action, ActionType::kThrottle);
  EXPECT_TRUE(lifted.decisions[0].revert);
  EXPECT_EQ(h.state.phase, Phase::kRemediating);  // the episode goes on
}

TEST(RevertTest, ScaleBackWaitsForScaleBackAfter) {
  EngineHarness h;
  h.spec.actions.scale.scale_back_after = seconds(300);
  h.ActOnce(Obs().High("traffic"));
  EXPECT_TRUE(h.Step(h.spec.actions.scale.verify_after, Obs().Replicas(4)).decisions.empty());
  EXPECT_TRUE(h.Step(seconds(290), Obs().Replicas(4)).decisions.empty());
  const auto back = h.Step(seconds(10), Obs().Replicas(4));
  ASSERT_EQ(back.decisions.size(), 1u);
  EXPECT_EQ(back.decisions[0].parameters.to_replicas, 3);
}

TEST(RevertTest, ScaleBackAfterCountsFromTheEarlyRecovery) {
  EngineHarness h;
  h.spec.actions.scale.verify_after = seconds(120);
  h.spec.actions.scale.scale_back_after = seconds(120);
  h.ActOnce(Obs().High("traffic"));
  const auto scaled_at = h.clock->Now();
  EXPECT_TRUE(h.Step(seconds(15), Obs().Replicas(4)).decisions.empty());  // normal from +15 s
  EXPECT_TRUE(h.Step(seconds(30), Obs().Replicas(4)).decisions.empty());  // recovered at +45 s
  ASSERT_TRUE(h.state.last_recovered_at.has_value());
  EXPECT_EQ(*h.state.last_recovered_at - scaled_at, seconds(45));
  // Closed at verifyAfter (+120 s); the replicas stay until 120 s after +45 s, not after +120 s.
  EXPECT_TRUE(h.Run(seconds(105), seconds(15), Obs().Replicas(4)).empty());  // up to +150 s
  const auto back = h.Step(seconds(15), Obs().Replicas(4));                  // +165 s
  ASSERT_EQ(back.decisions.size(), 1u);
  EXPECT_TRUE(back.decisions[0].revert);
  EXPECT_EQ(back.decisions[0].parameters.to_replicas, 3);
}

TEST(RevertTest, CircuitIsClosedAfterRecovery) {
  EngineHarness h;
  h.Step(seconds(0), Obs().High("errors"));
  const auto acted = h.Step(seconds(30), Obs().High("errors"));
  ASSERT_EQ(acted.decisions.size(), 1u);
  h.Succeed(acted.decisions[0]);
  const auto verified = h.Step(h.spec.actions.circuit_break.verify_after, Obs());
  ASSERT_EQ(verified.decisions.size(), 1u);
  EXPECT_EQ(verified.decisions[0].action, ActionType::kCircuitBreak);
  EXPECT_TRUE(verified.decisions[0].revert);
}

TEST(RevertTest, ScaleBackWithinLimitsOnceNothingElseIsRemediated) {
  EngineHarness h;
  h.spec.actions.scale = {
      .step = 2, .min_replicas = 4, .max_replicas = 10, .verify_after = seconds(60)};
  h.Step(seconds(0), Obs().High("traffic").Replicas(3));
  const auto scaled = h.Step(seconds(30), Obs().High("traffic").High("latency").Replicas(3));
  ASSERT_EQ(scaled.decisions.size(), 1u);  // latency has not held its `for` yet
  EXPECT_EQ(scaled.decisions[0].parameters.to_replicas, 5);
  h.Succeed(scaled.decisions[0]);
  const auto throttled = h.Step(seconds(30), Obs().High("latency").Replicas(5));
  ASSERT_EQ(throttled.decisions.size(), 1u);
  EXPECT_EQ(throttled.decisions[0].action, ActionType::kThrottle);
  h.Succeed(throttled.decisions[0]);
  // Traffic recovered, latency still being remediated: no scale-back yet (it would fight).
  const auto traffic_ok = h.Step(seconds(30), Obs().High("latency").Replicas(5));
  EXPECT_TRUE(traffic_ok.decisions.empty());
  ASSERT_EQ(h.state.pending_reverts.size(), 1u);
  // Latency recovers: throttle cleared and scale back to max(minReplicas 4, original 3).
  const auto all_ok = h.Step(seconds(30), Obs().Replicas(5));
  ASSERT_EQ(all_ok.decisions.size(), 2u);
  const bool scale_first = all_ok.decisions[0].action == ActionType::kScale;
  const Decision& scale_back = all_ok.decisions[scale_first ? 0 : 1];
  const Decision& unthrottle = all_ok.decisions[scale_first ? 1 : 0];
  EXPECT_EQ(unthrottle.action, ActionType::kThrottle);
  EXPECT_TRUE(unthrottle.revert);
  EXPECT_EQ(scale_back.action, ActionType::kScale);
  EXPECT_TRUE(scale_back.revert);
  EXPECT_EQ(scale_back.parameters.from_replicas, 5);
  EXPECT_EQ(scale_back.parameters.to_replicas, 4);
  EXPECT_TRUE(h.state.pending_reverts.empty());
}

// Two episodes of one incident both scale out (latency escalates to scale, then traffic scales
// on top). Latency recovers first: its scale-out stays while traffic still needs capacity, and
// when traffic recovers the workload goes back to where the FIRST scale-out started.
TEST(RevertTest, OverlappingScaleOutsGoBackToTheFirstStartingPoint) {
  EngineHarness h;
  h.spec.rules = {
      MakeRule("latency", Pattern::kLatency, {ActionType::kThrottle, ActionType::kScale}),
      MakeRule("traffic", Pattern::kTraffic, {ActionType::kScale})};
  h.spec.guardrails.cooldown = seconds(0);
  h.spec.actions.throttle.verify_after = seconds(60);
  h.spec.actions.scale = {
      .step = 1, .min_replicas = 1, .max_replicas = 10, .verify_after = seconds(60)};
  std::vector<Decision> taken;
  auto step = [&](seconds dt, const Observation& obs) {
    for (const auto& d : h.Step(dt, obs).decisions) {
      h.Succeed(d);
      taken.push_back(d);
    }
  };
  step(seconds(0), Obs().High("latency").Replicas(2));
  step(seconds(30), Obs().High("latency").Replicas(2));  // throttle
  step(seconds(60), Obs().High("latency").Replicas(2));  // not recovered: scale 2 -> 3
  step(seconds(30), Obs().High("latency").High("traffic").Replicas(3));
  step(seconds(30), Obs().High("latency").High("traffic").Replicas(3));  // traffic: scale 3 -> 4
  int scale_outs = 0;
  for (const auto& d : taken) scale_outs += d.action == ActionType::kScale && !d.revert;
  ASSERT_EQ(scale_outs, 2) << "both episodes scaled out";
  step(seconds(60), Obs().High("traffic").Replicas(4));  // latency recovers, traffic not yet
  for (const auto& d : taken) {
    EXPECT_FALSE(d.action == ActionType::kScale && d.revert) << "no scale-in while traffic is high";
  }
  step(seconds(60), Obs().Replicas(4));  // traffic recovers
  step(seconds(60), Obs().Replicas(4));
  const Decision* back = nullptr;
  for (const auto& d : taken) {
    if (d.action == ActionType::kScale && d.revert) back = &d;
  }
  ASSERT_NE(back, nullptr) << "never scaled back in";
  EXPECT_EQ(back->parameters.from_replicas, 4);
  EXPECT_EQ(back->parameters.to_replicas, 2);
}

TEST(RevertTest, SharedThrottleIsKeptWhileAnotherPatternStillNeedsIt) {
  EngineHarness h;
  h.spec.rules = {MakeRule("latency", Pattern::kLatency, {ActionType::kThrottle}, {}),
                  MakeRule("traffic", Pattern::kTraffic, {ActionType::kThrottle}, {})};
  h.spec.actions.throttle.verify_after = seconds(60);
  h.Step(seconds(0), Obs().High("latency").High("traffic"));
  const auto acted = h.Step(seconds(30), Obs().High("latency").High("traffic"));
  ASSERT_EQ(acted.decisions.size(), 1u);  // one throttle for both
  h.Succeed(acted.decisions[0]);
  // Latency recovers, traffic does not (and is exhausted): the throttle stays.
  const auto partly = h.Step(seconds(60), Obs().High("traffic"));
  EXPECT_TRUE(partly.decisions.empty());
  const auto all = h.Step(seconds(30), Obs());
  ASSERT_EQ(all.decisions.size(), 1u);
  EXPECT_TRUE(all.decisions[0].revert);
}

TEST(OutcomeTest, FailedActionEscalatesAtTheNextEvaluation) {
  EngineHarness h;
  h.Step(seconds(0), Obs().High("latency"));
  const auto acted = h.Step(seconds(30), Obs().High("latency"));
  ASSERT_EQ(acted.decisions.size(), 1u);
  ASSERT_TRUE(h.engine
                  .ReportOutcome(h.state, acted.decisions[0].id, Outcome::kFailed,
                                 "agent admin API unreachable")
                  .ok());
  EXPECT_EQ(h.state.history.back().outcome, Outcome::kFailed);
  EXPECT_EQ(h.state.history.back().message, "agent admin API unreachable");
  const auto next = h.Step(seconds(10), Obs().High("latency"));
  ASSERT_EQ(next.decisions.size(), 1u);
  EXPECT_EQ(next.decisions[0].action, ActionType::kScale);
  h.Succeed(next.decisions[0]);
  // Recovery: the failed throttle is not "reverted", only the scale-out.
  const auto recovered = h.Step(h.spec.actions.scale.verify_after, Obs().Replicas(4));
  ASSERT_EQ(recovered.decisions.size(), 1u);
  EXPECT_EQ(recovered.decisions[0].action, ActionType::kScale);
  EXPECT_TRUE(recovered.decisions[0].revert);
}

TEST(OutcomeTest, FailedRevertIsRetriedThreeTimesAtMost) {
  EngineHarness h;
  h.Step(seconds(0), Obs().High("errors"));
  const auto acted = h.Step(seconds(30), Obs().High("errors"));
  h.Succeed(acted.decisions.at(0));
  auto revert = h.Step(h.spec.actions.circuit_break.verify_after, Obs()).decisions;
  int attempts = 0;
  while (!revert.empty()) {
    ++attempts;
    ASSERT_EQ(revert.size(), 1u);
    EXPECT_EQ(revert[0].attempt, attempts);
    ASSERT_TRUE(h.engine.ReportOutcome(h.state, revert[0].id, Outcome::kFailed, "503").ok());
    revert = h.Step(seconds(10), Obs()).decisions;
  }
  EXPECT_EQ(attempts, 3);
}

TEST(OutcomeTest, UnknownDecisionIsNotFound) {
  EngineHarness h;
  const Status s = h.engine.ReportOutcome(h.state, "orders-99", Outcome::kSucceeded, "");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, "NotFound");
}

TEST(VerificationTest, MissingDataPostponesTheVerdict) {
  EngineHarness h;
  h.ActOnce(Obs().High("errors"));
  const auto blind = h.Step(h.spec.actions.circuit_break.verify_after, Obs().Missing("errors"));
  EXPECT_TRUE(blind.decisions.empty());  // neither escalates nor reverts without data
  EXPECT_EQ(blind.phase, Phase::kRemediating);
  const auto seen = h.Step(seconds(10), Obs());
  ASSERT_EQ(seen.decisions.size(), 1u);
  EXPECT_TRUE(seen.decisions[0].revert);
}

TEST(LifecycleTest, RemovingARuleEndsItsEpisodeAndRevertsItsActions) {
  EngineHarness h;
  h.ActOnce(Obs().High("latency"));
  h.spec.rules = {MakeRule("crash-only", Pattern::kCrash, {ActionType::kRestart}, {})};
  const auto r = h.Step(seconds(10), Obs().High("latency"));
  ASSERT_EQ(r.decisions.size(), 1u);
  EXPECT_TRUE(r.decisions[0].revert);
  EXPECT_TRUE(h.state.episodes.empty());
}

TEST(LifecycleTest, HistoryIsBounded) {
  EngineOptions options;
  options.history_limit = 5;
  EngineHarness h(0, options);
  h.spec.guardrails.cooldown = seconds(0);
  h.spec.actions.throttle.verify_after = seconds(10);
  for (int i = 0; i < 20; ++i) {
    h.Run(seconds(60), seconds(10), Obs().High("latency"));
    h.Run(seconds(60), seconds(10), Obs());
  }
  EXPECT_GT(h.all_decisions.size(), 20u);
  ASSERT_EQ(h.state.history.size(), 5u);
  EXPECT_EQ(h.state.history.back().decision.id, h.all_decisions.back().id);
}

TEST(LifecycleTest, InvalidSpecIsATerminalError) {
  EngineHarness h;
  h.spec.actions.scale.min_replicas = 5;
  h.spec.actions.scale.max_replicas = 2;
  const auto r = h.engine.Evaluate(h.spec, Obs(), h.state);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "InvalidPolicy");
  EXPECT_FALSE(r.error().retryable());
  EXPECT_NE(r.error().message.find("minReplicas (5) is above maxReplicas (2)"), std::string::npos);
}

}  // namespace
}  // namespace kubeheal::policy

namespace kubeheal::policy {
namespace {

// A restart (verifyAfter 3 min) recovers early; a later error episode is detected, acted on and
// recovers; when the restart's episode closes at its verifyAfter, the time of the last recovery
// stays the newer one, after the newer detection.
TEST(RevertTest, LastRecoveryNeverGoesBackWhenAnOlderEpisodeCloses) {
  EngineHarness h;
  h.spec.actions.restart.verify_after = std::chrono::minutes(3);
  h.spec.actions.circuit_break.verify_after = std::chrono::seconds(30);
  h.spec.guardrails.cooldown = std::chrono::seconds(30);
  const auto restart = h.ActOnce(Obs().Crashing(1));
  ASSERT_EQ(restart.action, ActionType::kRestart);
  for (int i = 0; i < 3; ++i) h.Step(std::chrono::seconds(15), Obs());  // recovered early
  ASSERT_TRUE(h.state.last_recovered_at.has_value());
  const auto first_recovery = *h.state.last_recovered_at;
  h.Step(std::chrono::seconds(15), Obs().High("errors"));
  const auto opened = h.Step(std::chrono::seconds(30), Obs().High("errors")).decisions;
  ASSERT_EQ(opened.size(), 1u);
  ASSERT_EQ(opened[0].action, ActionType::kCircuitBreak);
  h.Succeed(opened[0]);
  const auto detected = *h.state.last_detected_at;
  ASSERT_GT(detected, first_recovery);
  for (int i = 0; i < 10; ++i) h.Step(std::chrono::seconds(15), Obs());  // both episodes close
  EXPECT_TRUE(h.state.episodes.empty());
  ASSERT_TRUE(h.state.last_recovered_at.has_value());
  EXPECT_GE(*h.state.last_recovered_at, detected);
}

}  // namespace
}  // namespace kubeheal::policy
