// The seed scenarios of the default playbook, table-driven: each anomaly pattern (and the
// cascades of two at once) leads to the expected least disruptive action once `for` has held.
#include <algorithm>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "policy_test_support.h"

namespace kubeheal::policy {
namespace {

using std::chrono::seconds;
using testing_support::EngineHarness;
using testing_support::MakeRule;
using testing_support::Obs;
using testing_support::ObservationBuilder;

struct ExpectedAction {
  ActionType action;
  const char* rule;
};

struct SeedCase {
  const char* name;
  ObservationBuilder observation;
  std::vector<ExpectedAction> expected;  // in decision order
};

std::string Name(const testing::TestParamInfo<SeedCase>& info) { return info.param.name; }
void PrintTo(const SeedCase& c, std::ostream* os) { *os << c.name; }

class SeedScenarioTest : public testing::TestWithParam<SeedCase> {};

TEST_P(SeedScenarioTest, ActsOnceForHolds) {
  const SeedCase& c = GetParam();
  EngineHarness h;
  // The anomaly starts: nothing yet, `for` (30s) has not held.
  auto first = h.Step(seconds(10), c.observation);
  EXPECT_TRUE(first.decisions.empty());
  EXPECT_EQ(first.phase, Phase::kAnomalous);
  EXPECT_TRUE(h.Step(seconds(15), c.observation).decisions.empty());
  // 30s after it started it counts.
  const auto acted = h.Step(seconds(15), c.observation);
  ASSERT_EQ(acted.decisions.size(), c.expected.size());
  for (size_t i = 0; i < c.expected.size(); ++i) {
    const Decision& d = acted.decisions[i];
    SCOPED_TRACE(d.reason);
    EXPECT_EQ(d.action, c.expected[i].action);
    EXPECT_EQ(d.rule, c.expected[i].rule);
    EXPECT_EQ(d.rung, 0);
    EXPECT_FALSE(d.dry_run);
    EXPECT_FALSE(d.revert);
    EXPECT_FALSE(d.evidence.empty());
    EXPECT_FALSE(d.reason.empty());
    EXPECT_EQ(d.decided_at, h.clock->Now());
  }
  EXPECT_EQ(acted.phase, Phase::kRemediating);
  // No fighting: the same state held for another interval brings no new decision before
  // verifyAfter.
  EXPECT_TRUE(h.Step(seconds(10), c.observation).decisions.empty());
}

INSTANTIATE_TEST_SUITE_P(
    DefaultPlaybook, SeedScenarioTest,
    testing::Values(
        SeedCase{"LatencyThrottles", Obs().High("latency"), {{ActionType::kThrottle, "latency"}}},
        SeedCase{
            "ErrorsCircuitBreak", Obs().High("errors"), {{ActionType::kCircuitBreak, "errors"}}},
        SeedCase{"CrashRestarts", Obs().Crashing(2), {{ActionType::kRestart, "crash"}}},
        SeedCase{"NotReadyRestarts", Obs().NotReady(1), {{ActionType::kRestart, "not-ready"}}},
        // Crashing and not-ready pods at once: one restart.
        SeedCase{"CascadeCrashAndNotReady",
                 Obs().Crashing(1).NotReady(2),
                 {{ActionType::kRestart, "crash"}}},
        SeedCase{"TrafficSpikeScalesOut", Obs().High("traffic"), {{ActionType::kScale, "traffic"}}},
        SeedCase{"MemoryGrowthRestarts", Obs().High("memory"), {{ActionType::kRestart, "memory"}}},
        // Latency with errors is the error pattern's: one circuit-break, no throttle.
        SeedCase{"CascadeLatencyAndErrors",
                 Obs().High("latency").High("errors"),
                 {{ActionType::kCircuitBreak, "errors"}}},
        // Two causes, two different actions, one each.
        SeedCase{"CascadeLatencyAndTraffic",
                 Obs().High("latency").High("traffic"),
                 {{ActionType::kThrottle, "latency"}, {ActionType::kScale, "traffic"}}},
        // Crash and memory growth both want a restart: one restart serves both.
        SeedCase{"CascadeCrashAndMemory",
                 Obs().Crashing(1).High("memory"),
                 {{ActionType::kRestart, "crash"}}}),
    Name);

TEST(SeedScenarioDetailsTest, TrafficSpikeScalesOutWithinMax) {
  EngineHarness h;
  h.spec.actions.scale = {.step = 3, .min_replicas = 2, .max_replicas = 5};
  const auto spike = Obs().High("traffic").Replicas(3);
  h.Step(seconds(0), spike);
  const auto acted = h.Step(seconds(30), spike);
  ASSERT_EQ(acted.decisions.size(), 1u);
  EXPECT_EQ(acted.decisions[0].parameters.from_replicas, 3);
  EXPECT_EQ(acted.decisions[0].parameters.to_replicas, 5);  // 3 + 3 capped at 5
}

TEST(SeedScenarioDetailsTest, AtMaxReplicasScaleIsSkippedForTheNextRung) {
  EngineHarness h;
  h.spec.actions.scale.max_replicas = 3;
  const auto spike = Obs().High("traffic").Replicas(3);
  h.Step(seconds(0), spike);
  const auto acted = h.Step(seconds(30), spike);
  ASSERT_EQ(acted.decisions.size(), 1u);
  EXPECT_EQ(acted.decisions[0].action, ActionType::kAlert);  // traffic: scale, alert
  EXPECT_EQ(acted.decisions[0].rung, 1);
  EXPECT_TRUE(std::any_of(acted.notes.begin(), acted.notes.end(), [](const std::string& n) {
    return n.find("maxReplicas") != std::string::npos;
  }));
}

TEST(SeedScenarioDetailsTest, CascadeCrashAndMemoryShareOneRestartAndBothRecover) {
  EngineHarness h;
  const auto both = Obs().Crashing(1).High("memory");
  h.Step(seconds(0), both);
  const auto acted = h.Step(seconds(30), both);
  ASSERT_EQ(acted.decisions.size(), 1u);
  h.Succeed(acted.decisions[0]);
  ASSERT_EQ(h.state.episodes.size(), 2u);
  EXPECT_EQ(h.state.episodes[0].last_decision_id, acted.decisions[0].id);
  EXPECT_EQ(h.state.episodes[1].last_decision_id, acted.decisions[0].id);
  const auto verified = h.Step(h.spec.actions.restart.verify_after, Obs());
  EXPECT_TRUE(verified.decisions.empty());  // restart is not temporary: nothing to revert
  EXPECT_TRUE(h.state.episodes.empty());
  EXPECT_EQ(verified.phase, Phase::kRecovered);
}

TEST(SeedScenarioDetailsTest, EvidenceCarriesQueryValueBandAndScore) {
  EngineHarness h;
  auto obs = Obs().High("latency", 0.92).Build();
  obs.signals[0].expected_low = 0.1;
  obs.signals[0].expected_high = 0.3;
  obs.signals[0].query = "rendered latency query";
  h.Step(seconds(0), obs);
  const auto acted = h.Step(seconds(30), obs);
  ASSERT_EQ(acted.decisions.size(), 1u);
  const Evidence& e = acted.decisions[0].evidence.at(0);
  EXPECT_EQ(e.signal, "latency");
  EXPECT_EQ(e.query, "rendered latency query");
  EXPECT_DOUBLE_EQ(e.value, 0.92);
  EXPECT_DOUBLE_EQ(e.expected_low, 0.1);
  EXPECT_DOUBLE_EQ(e.expected_high, 0.3);
  EXPECT_DOUBLE_EQ(e.score, 6);
  EXPECT_EQ(e.severity, Severity::kCritical);
  EXPECT_EQ(e.explanation, "latency far above its band");
  EXPECT_NE(acted.decisions[0].reason.find("0.92"), std::string::npos) << acted.decisions[0].reason;
}

TEST(SeedScenarioDetailsTest, MatchAllNeedsEverySignal) {
  EngineHarness h;
  Rule both =
      MakeRule("slow-and-busy", Pattern::kCustom, {ActionType::kScale}, {"latency", "traffic"});
  both.match = Match::kAll;
  h.spec.rules = {both};
  h.Step(seconds(0), Obs().High("latency"));
  EXPECT_TRUE(h.Step(seconds(60), Obs().High("latency")).decisions.empty());
  h.Step(seconds(1), Obs().High("latency").High("traffic"));
  const auto acted = h.Step(seconds(30), Obs().High("latency").High("traffic"));
  ASSERT_EQ(acted.decisions.size(), 1u);
  EXPECT_EQ(acted.decisions[0].evidence.size(), 2u);
}

TEST(SeedScenarioDetailsTest, UnlessVetoesTheRuleWhileTheOtherPatternIsAnomalous) {
  EngineHarness h;
  Rule r = MakeRule("memory-unless-crash", Pattern::kMemory, {ActionType::kAlert});
  r.unless = {Pattern::kCrash};
  h.spec.rules = {r};
  h.Step(seconds(0), Obs().High("memory").Crashing(1));
  const auto vetoed = h.Step(seconds(60), Obs().High("memory").Crashing(1));
  EXPECT_TRUE(vetoed.decisions.empty());
  ASSERT_FALSE(vetoed.notes.empty());
  EXPECT_NE(vetoed.notes[0].find("crash is anomalous too"), std::string::npos) << vetoed.notes[0];
  EXPECT_EQ(h.Step(seconds(1), Obs().High("memory")).decisions.size(), 1u);
}

TEST(SeedScenarioDetailsTest, FirstMatchingRuleOfAPatternHandlesIt) {
  EngineHarness h;
  h.spec.rules = {MakeRule("latency-by-scaling", Pattern::kLatency, {ActionType::kScale}),
                  MakeRule("latency-by-throttling", Pattern::kLatency, {ActionType::kThrottle})};
  h.Step(seconds(0), Obs().High("latency"));
  const auto acted = h.Step(seconds(30), Obs().High("latency"));
  ASSERT_EQ(acted.decisions.size(), 1u);
  EXPECT_EQ(acted.decisions[0].rule, "latency-by-scaling");
  EXPECT_EQ(h.state.episodes.size(), 1u);
}

TEST(SeedScenarioDetailsTest, AnomalyBelowTheBandIsNotAPattern) {
  EngineHarness h;
  const auto dip = Obs().Low("traffic").Low("latency");
  h.Step(seconds(0), dip);
  const auto later = h.Step(seconds(120), dip);
  EXPECT_TRUE(later.decisions.empty());
  EXPECT_EQ(later.phase, Phase::kAnomalous);  // still reported, just not acted on
}

TEST(SeedScenarioDetailsTest, CustomRuleOnANamedSignal) {
  EngineHarness h;
  h.spec.signals.push_back({"queue", "queue_depth", Pattern::kCustom, Seconds(0)});
  h.spec.rules = {MakeRule("queue-backlog", Pattern::kCustom, {ActionType::kAlert}, {"queue"})};
  auto obs = Obs().High("traffic").Build();  // traffic is not this rule's signal any more
  SignalObservation queue;
  queue.name = "queue";
  queue.value = 900;
  queue.expected_high = 100;
  queue.anomalous = true;
  queue.severity = Severity::kInfo;  // below the default minSeverity (warning): not acted on
  obs.signals.push_back(queue);
  EXPECT_TRUE(h.Step(seconds(1), obs).decisions.empty());
  obs.signals.back().severity = Severity::kWarning;
  const auto acted = h.Step(seconds(1), obs);
  ASSERT_EQ(acted.decisions.size(), 1u);
  EXPECT_EQ(acted.decisions[0].action, ActionType::kAlert);
  EXPECT_EQ(acted.decisions[0].rule, "queue-backlog");
  EXPECT_EQ(acted.decisions[0].evidence.at(0).signal, "queue");
}

}  // namespace
}  // namespace kubeheal::policy
