// A policy whose anomaly a related policy explains (a slow dependency, a flood through a
// caller) takes no action of its own and does not escalate; it acts again once the related
// anomaly has been gone for the grace, and never waits on its own kind of trouble.
#include "kubeheal/policy/explanation.h"

#include <gtest/gtest.h>

#include "policy_test_support.h"

namespace kubeheal::policy {
namespace {

using std::chrono::seconds;
using testing_support::EngineHarness;
using testing_support::Obs;

RelatedPolicy Related(const std::string& name, Relation relation, Pattern pattern,
                      Clock::TimePoint seen) {
  return {name, relation, {{pattern, seen, name + " p99-latency 1.2 (expected ..0.4)"}}};
}

Observation With(Observation obs, std::vector<RelatedPolicy> related) {
  obs.related = std::move(related);
  return obs;
}

TEST(ExplainTest, DependencyExplainsLatencyAndErrorsOnly) {
  const auto now = Clock::TimePoint(seconds(1000));
  Observation obs =
      With(Obs(), {Related("payments", Relation::kDependency, Pattern::kLatency, now)});
  for (Pattern p : {Pattern::kLatency, Pattern::kErrors}) {
    auto e = Explain(p, obs, now);
    ASSERT_TRUE(e.has_value()) << PatternName(p);
    EXPECT_EQ(e->policy, "payments");
    EXPECT_EQ(e->relation, Relation::kDependency);
  }
  for (Pattern p : {Pattern::kCrash, Pattern::kNotReady, Pattern::kMemory, Pattern::kTraffic,
                    Pattern::kCustom}) {
    EXPECT_FALSE(Explain(p, obs, now).has_value()) << PatternName(p);
  }
}

TEST(ExplainTest, CallerExplainsTrafficOnlyWithItsOwnTrafficAnomaly) {
  const auto now = Clock::TimePoint(seconds(1000));
  auto flood = With(Obs(), {Related("orders", Relation::kCaller, Pattern::kTraffic, now)});
  ASSERT_TRUE(Explain(Pattern::kTraffic, flood, now).has_value());
  EXPECT_EQ(Explain(Pattern::kTraffic, flood, now)->relation, Relation::kCaller);
  // A caller's latency says nothing about this service: it is the caller's own problem.
  EXPECT_FALSE(Explain(Pattern::kLatency, flood, now).has_value());
  auto slow_caller = With(Obs(), {Related("orders", Relation::kCaller, Pattern::kLatency, now)});
  EXPECT_FALSE(Explain(Pattern::kLatency, slow_caller, now).has_value());
  EXPECT_FALSE(Explain(Pattern::kTraffic, slow_caller, now).has_value());
  // A dependency's traffic surge does not explain this policy's traffic.
  auto dep = With(Obs(), {Related("payments", Relation::kDependency, Pattern::kTraffic, now)});
  EXPECT_FALSE(Explain(Pattern::kTraffic, dep, now).has_value());
}

TEST(ExplainTest, PrefersADependencyAnomalyOfTheSamePattern) {
  const auto now = Clock::TimePoint(seconds(1000));
  // users fails, payments is slow: orders' latency names payments, its errors name users,
  // whatever the order the dependencies are listed in.
  RelatedPolicy users = Related("users", Relation::kDependency, Pattern::kErrors, now);
  RelatedPolicy payments = Related("payments", Relation::kDependency, Pattern::kLatency, now);
  for (const auto& related : {std::vector{users, payments}, std::vector{payments, users}}) {
    Observation obs = With(Obs(), related);
    auto latency = Explain(Pattern::kLatency, obs, now);
    ASSERT_TRUE(latency.has_value());
    EXPECT_EQ(latency->policy, "payments");
    EXPECT_EQ(latency->pattern, Pattern::kLatency);
    auto errors = Explain(Pattern::kErrors, obs, now);
    ASSERT_TRUE(errors.has_value());
    EXPECT_EQ(errors->policy, "users");
    EXPECT_EQ(errors->pattern, Pattern::kErrors);
  }
  // Without a same-pattern anomaly, another pattern of a dependency still explains.
  Observation only_users = With(Obs(), {users});
  ASSERT_TRUE(Explain(Pattern::kLatency, only_users, now).has_value());
  EXPECT_EQ(Explain(Pattern::kLatency, only_users, now)->policy, "users");
  // A same-pattern anomaly past the grace does not win over a fresh one of another pattern.
  RelatedPolicy stale =
      Related("payments", Relation::kDependency, Pattern::kLatency, now - seconds(300));
  Observation obs = With(Obs(), {stale, users});
  obs.related_grace = seconds(120);
  ASSERT_TRUE(Explain(Pattern::kLatency, obs, now).has_value());
  EXPECT_EQ(Explain(Pattern::kLatency, obs, now)->policy, "users");
}

TEST(ExplainTest, GraceAfterTheRelatedAnomalyWasLastSeen) {
  const auto seen = Clock::TimePoint(seconds(1000));
  Observation obs =
      With(Obs(), {Related("payments", Relation::kDependency, Pattern::kErrors, seen)});
  obs.related_grace = seconds(120);
  EXPECT_TRUE(Explain(Pattern::kLatency, obs, seen + seconds(120)).has_value());
  EXPECT_FALSE(Explain(Pattern::kLatency, obs, seen + seconds(121)).has_value());
}

TEST(ExplainTest, DescribeNamesThePolicyRelationAndWhatItSees) {
  Explanation e{"payments", Relation::kDependency, Pattern::kLatency, "p99-latency 1.2"};
  EXPECT_EQ(Describe(e), "latency of payments (dependency): p99-latency 1.2");
}

TEST(DependencyWaitTest, LatencyExplainedByADependencyTakesNoAction) {
  EngineHarness h;
  const auto slow = [&] {
    return With(Obs().High("latency"),
                {Related("payments", Relation::kDependency, Pattern::kLatency, h.clock->Now())});
  };
  std::vector<Decision> decisions;
  for (int i = 0; i < 40; ++i) {  // 10 minutes at 15 s
    auto ev = h.Step(seconds(15), slow());
    for (auto& d : ev.decisions) decisions.push_back(d);
    EXPECT_EQ(ev.phase, Phase::kAnomalous);
    if (i >= 2) {
      ASSERT_EQ(ev.waiting.size(), 1u) << "evaluation " << i;
      EXPECT_EQ(ev.waiting[0].rule, "latency");
      EXPECT_EQ(ev.waiting[0].because.policy, "payments");
    }
  }
  EXPECT_TRUE(decisions.empty()) << decisions.front().reason;
  EXPECT_TRUE(h.state.episodes.empty());
}

TEST(DependencyWaitTest, ActsOnceTheDependencyHasBeenNormalForTheGrace) {
  EngineHarness h;
  const auto dep_seen = h.clock->Now() + seconds(60);
  auto obs = With(Obs().High("latency"),
                  {Related("payments", Relation::kDependency, Pattern::kLatency, dep_seen)});
  obs.related_grace = seconds(120);
  std::optional<Clock::TimePoint> acted;
  for (int i = 0; i < 30 && !acted; ++i) {
    auto ev = h.Step(seconds(15), obs);
    if (!ev.decisions.empty()) {
      acted = h.clock->Now();
      EXPECT_EQ(ev.decisions[0].action, ActionType::kThrottle);
      EXPECT_TRUE(ev.waiting.empty());
    }
  }
  ASSERT_TRUE(acted.has_value()) << "still waiting on a dependency normal for long";
  EXPECT_GT(*acted, dep_seen + seconds(120));
  EXPECT_LE(*acted, dep_seen + seconds(135));
}

TEST(DependencyWaitTest, DoesNotEscalateWhileTheDependencyIsAnomalous) {
  EngineHarness h;
  const Decision first = h.ActOnce(Obs().High("latency"));  // throttle, before the dependency
  ASSERT_EQ(first.action, ActionType::kThrottle);
  std::vector<Decision> later;
  for (int i = 0; i < 20; ++i) {  // 5 minutes: past verifyAfter of the throttle
    auto ev = h.Step(seconds(15), With(Obs().High("latency"),
                                       {Related("payments", Relation::kDependency, Pattern::kErrors,
                                                h.clock->Now() + seconds(15))}));
    for (auto& d : ev.decisions) later.push_back(d);
  }
  EXPECT_TRUE(later.empty()) << later.front().reason;
}

TEST(DependencyWaitTest, OwnCrashIsActedOnWhileADependencyIsAnomalous) {
  EngineHarness h;
  auto obs = With(Obs().Crashing(1),
                  {Related("payments", Relation::kDependency, Pattern::kLatency, h.clock->Now())});
  h.Step(seconds(0), obs);
  obs.related[0].anomalies[0].last_seen = h.clock->Now() + seconds(30);
  auto ev = h.Step(seconds(30), obs);
  ASSERT_FALSE(ev.decisions.empty());
  EXPECT_EQ(ev.decisions[0].action, ActionType::kRestart);
}

TEST(DependencyWaitTest, TrafficThroughAnAnomalousCallerIsNotScaled) {
  EngineHarness h;
  std::vector<Decision> decisions;
  for (int i = 0; i < 12; ++i) {
    auto ev = h.Step(seconds(15), With(Obs().High("traffic"),
                                       {Related("orders", Relation::kCaller, Pattern::kTraffic,
                                                h.clock->Now() + seconds(15))}));
    for (auto& d : ev.decisions) decisions.push_back(d);
  }
  EXPECT_TRUE(decisions.empty()) << decisions.front().reason;
  // The same surge without an anomalous caller is scaled out.
  EngineHarness alone;
  EXPECT_EQ(alone.ActOnce(Obs().High("traffic")).action, ActionType::kScale);
}

}  // namespace
}  // namespace kubeheal::policy
