#include <gtest/gtest.h>

#include "kubeheal/policy/decision_engine.h"
#include "policy_test_support.h"

namespace kubeheal::policy {
namespace {

using testing_support::MakeRule;

struct SpecCase {
  const char* name;
  void (*damage)(PolicySpec&);
  const char* mentions;
};

void PrintTo(const SpecCase& c, std::ostream* os) { *os << c.name; }

class ValidatePolicySpecTest : public testing::TestWithParam<SpecCase> {};

TEST_P(ValidatePolicySpecTest, RejectsWithAClearMessage) {
  PolicySpec spec = testing_support::SeedPolicy();
  GetParam().damage(spec);
  const Status s = ValidatePolicySpec(spec);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, "InvalidPolicy");
  EXPECT_NE(s.error().message.find("shop/orders"), std::string::npos);
  EXPECT_NE(s.error().message.find(GetParam().mentions), std::string::npos) << s.error().message;
}

INSTANTIATE_TEST_SUITE_P(
    Specs, ValidatePolicySpecTest,
    testing::Values(
        SpecCase{"DuplicateSignal", [](PolicySpec& s) { s.signals[1].name = "latency"; },
                 "signals[1].name \"latency\" is repeated"},
        SpecCase{"UnknownSignalInRule",
                 [](PolicySpec& s) {
                   s.rules = {MakeRule("r", Pattern::kLatency, {ActionType::kAlert}, {"p99"})};
                 },
                 "rules[0].signals names \"p99\""},
        SpecCase{"EmptyLadder",
                 [](PolicySpec& s) { s.rules = {MakeRule("r", Pattern::kCrash, {}, {})}; },
                 "rules[0].actions is empty"},
        SpecCase{"DuplicateRule",
                 [](PolicySpec& s) {
                   s.rules = {MakeRule("r", Pattern::kCrash, {ActionType::kAlert}, {}),
                              MakeRule("r", Pattern::kCrash, {ActionType::kAlert}, {})};
                 },
                 "rules[1].name \"r\" is repeated"},
        SpecCase{"ZeroStep", [](PolicySpec& s) { s.actions.scale.step = 0; }, "scale.step"},
        SpecCase{"ZeroRps", [](PolicySpec& s) { s.actions.throttle.rps = 0; }, "throttle.rps"},
        SpecCase{"NegativeVerify",
                 [](PolicySpec& s) { s.actions.restart.verify_after = Seconds(-1); },
                 "verifyAfter"},
        SpecCase{"CustomWithoutSignals",
                 [](PolicySpec& s) {
                   s.rules = {MakeRule("r", Pattern::kCustom, {ActionType::kAlert})};
                 },
                 "a custom rule needs signals"},
        SpecCase{"NegativeBudget", [](PolicySpec& s) { s.guardrails.max_actions_per_hour = -1; },
                 "maxActionsPerHour"}),
    [](const testing::TestParamInfo<SpecCase>& info) { return std::string(info.param.name); });

TEST(ValidatePolicySpecTest, SeedPolicyAndDefaultPlaybookAreValid) {
  EXPECT_TRUE(ValidatePolicySpec(testing_support::SeedPolicy()).ok());
  EXPECT_EQ(DefaultPlaybook().size(), 6u);
}

TEST(NamesTest, RoundTripEveryEnum) {
  for (auto a : {ActionType::kThrottle, ActionType::kCircuitBreak, ActionType::kScale,
                 ActionType::kRestart, ActionType::kAlert}) {
    EXPECT_EQ(ParseActionType(ActionTypeName(a)), a);
  }
  for (auto p : {Pattern::kCrash, Pattern::kNotReady, Pattern::kLatency, Pattern::kErrors,
                 Pattern::kTraffic, Pattern::kMemory, Pattern::kCustom}) {
    EXPECT_EQ(ParsePattern(PatternName(p)), p);
  }
  for (auto p : {Phase::kHealthy, Phase::kAnomalous, Phase::kRemediating, Phase::kRecovered,
                 Phase::kExhausted, Phase::kSuspended}) {
    EXPECT_EQ(ParsePhase(PhaseName(p)), p);
  }
  EXPECT_EQ(ParseMatch("all"), Match::kAll);
  EXPECT_EQ(ParseRestartMode("pod"), RestartMode::kOnePod);
  EXPECT_FALSE(ParseActionType("reboot").has_value());
}

}  // namespace
}  // namespace kubeheal::policy
