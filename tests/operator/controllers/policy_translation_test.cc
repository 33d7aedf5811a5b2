#include "kubeheal/controllers/policy_translation.h"

#include <gtest/gtest.h>

namespace kubeheal::controllers {
namespace {

TEST(PolicyTranslationTest, RendersPlaceholders) {
  QueryContext c{"shop", "orders", "orders-1|orders-2", "1h"};
  EXPECT_EQ(
      RenderQuery(R"(rate(x{namespace="{{namespace}}",pod=~"{{pod}}"}[{{window}}]) / {{workload}})",
                  c),
      R"(rate(x{namespace="shop",pod=~"orders-1|orders-2"}[1h]) / orders)");
}

TEST(PolicyTranslationTest, DetectorParamsBecomeSnakeCaseStrings) {
  auto p = ToDetectorParams(nlohmann::json::parse(
      R"({"minPoints": 20, "sensitivity": 4.5, "maxGap": "5m", "direction": "above"})"));
  EXPECT_EQ(p.at("min_points"), "20");
  EXPECT_EQ(p.at("sensitivity"), "4.5");
  EXPECT_EQ(p.at("max_gap"), "5m");
  EXPECT_EQ(p.count("direction"), 0u);
}

TEST(PolicyTranslationTest, MapsPatternsActionsAndGuardrails) {
  auto parsed = api::HealingPolicyFromJson(nlohmann::json::parse(R"({
    "metadata": {"name": "orders", "namespace": "shop"},
    "spec": {"targetRef": {"name": "orders"},
      "signals": [{"name": "p99", "pattern": "latency", "query": "q{pod=~\"{{pod}}\"}",
                   "detector": {"type": "threshold", "params": {"above": 1}}, "for": "30s"},
                  {"name": "errs", "pattern": "errors", "query": "e",
                   "detector": {"type": "threshold", "params": {"above": 1}}}],
      "rules": [{"name": "slow", "when": {"pattern": "latency"}, "actions": ["throttle", "scale"]},
                {"name": "mine", "when": {"pattern": "custom", "signals": ["errs"]}, "actions": ["alert"]}],
      "actions": {"scale": {"minReplicas": 2, "maxReplicas": 4}},
      "cooldown": "2m", "dryRun": true}})"));
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  auto spec = ToPolicySpec(*parsed, {"shop", "orders", "orders-1"});
  ASSERT_EQ(spec.signals.size(), 2u);
  EXPECT_EQ(spec.signals[0].query, "q{pod=~\"orders-1\"}");
  EXPECT_EQ(spec.signals[0].pattern, policy::Pattern::kLatency);
  EXPECT_EQ(spec.signals[0].hold_for, std::chrono::seconds(30));
  ASSERT_EQ(spec.rules.size(), 2u);
  EXPECT_EQ(spec.rules[0].pattern, policy::Pattern::kLatency);
  EXPECT_EQ(spec.rules[0].actions, (std::vector<policy::ActionType>{policy::ActionType::kThrottle,
                                                                    policy::ActionType::kScale}));
  EXPECT_EQ(spec.rules[1].pattern, policy::Pattern::kCustom);
  EXPECT_EQ(spec.rules[1].signals, (std::vector<std::string>{"errs"}));
  EXPECT_EQ(spec.actions.scale.min_replicas, 2);
  EXPECT_EQ(spec.guardrails.cooldown, std::chrono::seconds(120));
  EXPECT_TRUE(spec.guardrails.dry_run);
}

}  // namespace
}  // namespace kubeheal::controllers
