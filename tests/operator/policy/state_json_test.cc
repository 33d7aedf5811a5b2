// The state survives an operator restart: JSON round trip, identical decisions afterwards, and
// clear errors on a damaged document.
#include "kubeheal/policy/state_json.h"

#include <algorithm>
#include <cmath>
#include <string>

#include <gtest/gtest.h>

#include "policy_test_support.h"

namespace kubeheal::policy {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;
using std::chrono::seconds;
using testing_support::EngineHarness;
using testing_support::Obs;

// A state with every part filled: holds, pod failure, open episodes with temporaries, pending
// scale-back, cooldowns, recent actions, history with evidence and outcomes.
EngineHarness BusyHarness() {
  EngineHarness h;
  h.clock->Advance(milliseconds(250));  // sub-second times must survive too
  h.Step(seconds(0), Obs().High("traffic"));
  h.Succeed(h.Step(seconds(30), Obs().High("traffic").High("latency")).decisions.at(0));
  auto throttle = h.Step(seconds(30), Obs().High("latency")).decisions.at(0);
  EXPECT_TRUE(h.engine.ReportOutcome(h.state, throttle.id, Outcome::kFailed, "agent down").ok());
  h.Step(seconds(120), Obs().High("latency").Crashing(1).Replicas(4));
  return h;
}

TEST(StateJsonTest, RoundTripIsLossless) {
  EngineHarness h = BusyHarness();
  ASSERT_FALSE(h.state.episodes.empty());
  ASSERT_FALSE(h.state.pending_reverts.empty());
  ASSERT_FALSE(h.state.holds.empty());
  ASSERT_TRUE(std::any_of(h.state.holds.begin(), h.state.holds.end(),
                          [](const SignalHold& hold) { return hold.signal == "@crashing"; }));
  h.state.episodes[0].normal_since = h.clock->Now() - milliseconds(1500);
  h.state.episodes[0].recovered_at = h.clock->Now() - milliseconds(500);
  const json first = PolicyStateToJson(h.state);
  const auto restored = PolicyStateFromJson(json::parse(first.dump()));
  ASSERT_TRUE(restored.ok()) << restored.error().ToString();
  EXPECT_EQ(PolicyStateToJson(*restored), first);
  EXPECT_EQ(restored->phase_since, h.state.phase_since);
  EXPECT_EQ(restored->episodes[0].started_at, h.state.episodes[0].started_at);
  EXPECT_EQ(restored->episodes[0].normal_since, h.state.episodes[0].normal_since);
  EXPECT_EQ(restored->episodes[0].recovered_at, h.state.episodes[0].recovered_at);
  EXPECT_EQ(restored->next_sequence, h.state.next_sequence);
}

TEST(StateJsonTest, ReadableForHumansInTheStatus) {
  EngineHarness h = BusyHarness();
  const json j = PolicyStateToJson(h.state);
  EXPECT_EQ(j["phase"], "Remediating");
  EXPECT_EQ(j["history"][0]["decision"]["action"], "scale");
  EXPECT_EQ(j["history"][0]["decision"]["parameters"]["toReplicas"], 4);
  EXPECT_EQ(j["history"][0]["decision"]["evidence"][0]["signal"], "traffic");
  EXPECT_EQ(j["history"][1]["outcome"], "Failed");
  EXPECT_EQ(j["history"][1]["message"], "agent down");
  EXPECT_EQ(j["history"][0]["decision"]["decidedAt"], "2027-01-15T08:00:30.250Z");
}

TEST(StateJsonTest, RestoredStateDecidesLikeTheOriginal) {
  EngineHarness original = BusyHarness();
  EngineHarness restarted;  // a new operator process: fresh engine, clock at the same time
  restarted.clock->Set(original.clock->Now());
  restarted.state = *PolicyStateFromJson(PolicyStateToJson(original.state));
  for (int i = 0; i < 40; ++i) {
    const auto obs = i < 20 ? Obs().High("latency").Crashing(1).Replicas(4) : Obs().Replicas(5);
    const auto a = original.Step(seconds(15), obs);
    const auto b = restarted.Step(seconds(15), obs);
    ASSERT_EQ(a.phase, b.phase);
    ASSERT_EQ(a.decisions.size(), b.decisions.size()) << "step " << i;
    for (size_t k = 0; k < a.decisions.size(); ++k) {
      EXPECT_EQ(DecisionToJson(a.decisions[k]), DecisionToJson(b.decisions[k]));
      original.Succeed(a.decisions[k]);
      restarted.Succeed(b.decisions[k]);
    }
  }
  EXPECT_GT(original.all_decisions.size(), 3u);
}

TEST(StateJsonTest, NonFiniteEvidenceIsWrittenAsNull) {
  Decision d;
  d.id = "p-1";
  d.evidence.push_back(
      Evidence{"latency", "q", std::nan(""), -INFINITY, INFINITY, 1, Severity::kWarning, ""});
  const json j = DecisionToJson(d);
  EXPECT_TRUE(j["evidence"][0]["value"].is_null());
  EXPECT_TRUE(j["evidence"][0]["expectedHigh"].is_null());
  EXPECT_NO_THROW((void)j.dump());
}

TEST(StateJsonTest, EmptyObjectIsAFreshStateOnlyWithPhase) {
  const auto r =
      PolicyStateFromJson(json{{"phase", "Healthy"}, {"phaseSince", "2026-11-22T08:00:00Z"}});
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  EXPECT_TRUE(r->episodes.empty());
  EXPECT_EQ(r->next_sequence, 1u);
}

struct BadStateCase {
  const char* name;
  const char* path;  // JSON pointer to damage
  json value;
  const char* mentions;
};

void PrintTo(const BadStateCase& c, std::ostream* os) { *os << c.name; }

class BadStateTest : public testing::TestWithParam<BadStateCase> {};

TEST_P(BadStateTest, NamesTheBrokenField) {
  const auto& c = GetParam();
  json j = PolicyStateToJson(BusyHarness().state);
  j[json::json_pointer(c.path)] = c.value;
  const auto r = PolicyStateFromJson(j);
  ASSERT_FALSE(r.ok()) << c.name;
  EXPECT_EQ(r.error().code, "InvalidState");
  EXPECT_FALSE(r.error().retryable());
  EXPECT_NE(r.error().message.find(c.mentions), std::string::npos) << r.error().message;
}

INSTANTIATE_TEST_SUITE_P(
    Damage, BadStateTest,
    testing::Values(
        BadStateCase{"phase", "/phase", "Sleeping", "phase: unknown value \"Sleeping\""},
        BadStateCase{"time", "/episodes/0/startedAt", "yesterday", "episodes[0].startedAt"},
        BadStateCase{"action", "/history/1/decision/action", "reboot",
                     "history[1].decision.action"},
        BadStateCase{"rung", "/episodes/0/rung", "two", "episodes[0].rung: not an integer"},
        BadStateCase{"holds", "/holds", 5, "holds: not an array"},
        BadStateCase{"recent", "/recentActions/0", 17, "recentActions[0]"},
        BadStateCase{"sequence", "/nextSequence", 0, "nextSequence"}),
    [](const testing::TestParamInfo<BadStateCase>& info) { return std::string(info.param.name); });

TEST(StateJsonTest, NotAnObjectIsAnError) {
  EXPECT_EQ(PolicyStateFromJson(json::array()).error().code, "InvalidState");
  EXPECT_EQ(PolicyStateFromJson(json("x")).error().code, "InvalidState");
}

}  // namespace
}  // namespace kubeheal::policy
