#include "kubeheal/api/fault_scenario.h"

#include <gtest/gtest.h>

namespace kubeheal::api {
namespace {

using namespace std::chrono_literals;

nlohmann::json ValidScenario() {
  return nlohmann::json::parse(R"J({
    "metadata": {"name": "slow-orders", "namespace": "shop"},
    "spec": {
      "selector": {"matchLabels": {"app": "orders"},
                   "matchExpressions": [{"key": "tier", "operator": "In", "values": ["a", "b"]},
                                        {"key": "canary", "operator": "DoesNotExist"}]},
      "mode": "percent", "value": 50,
      "faults": [
        {"latency": {"delayMs": 300, "jitterMs": 50, "percent": 80},
         "match": {"pathPrefix": "/api"}},
        {"httpError": {"status": 503, "percent": 20}},
        {"podKill": {}}
      ],
      "duration": "2m",
      "expect": {"policyRef": {"name": "orders"}, "detectWithin": "1m", "healWithin": "3m",
                 "actions": ["throttle"]}
    }})J");
}

TEST(FaultScenarioTest, ParsesBothFaultShapes) {
  auto s = FaultScenarioFromJson(ValidScenario());
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(s->spec.match_labels.at("app"), "orders");
  EXPECT_EQ(s->spec.LabelSelector(), "app=orders,tier in (a,b),!canary");
  EXPECT_EQ(s->spec.mode, "percent");
  EXPECT_EQ(s->spec.value, 50);
  ASSERT_EQ(s->spec.faults.size(), 3u);
  EXPECT_EQ(s->spec.faults[0].type, "latency");
  EXPECT_EQ(s->spec.faults[0].delay_ms, 300);
  EXPECT_EQ(s->spec.faults[0].jitter_ms, 50);
  EXPECT_EQ(s->spec.faults[0].match["pathPrefix"], "/api");
  EXPECT_EQ(s->spec.faults[0].percent, 80);
  EXPECT_EQ(s->spec.faults[1].type, "httpError");
  EXPECT_EQ(s->spec.faults[1].status, 503);
  EXPECT_EQ(s->spec.faults[1].percent, 20);
  EXPECT_FALSE(s->spec.faults[2].IsAgentFault());
  EXPECT_EQ(s->spec.duration, 2min);
  ASSERT_TRUE(s->spec.expect.has_value());
  EXPECT_EQ(s->spec.expect->policy, "orders");
  EXPECT_EQ(s->spec.expect->detect_within, 1min);
  EXPECT_EQ(s->spec.expect->actions, (std::vector<std::string>{"throttle"}));
}

TEST(FaultScenarioTest, NamesTheFieldPathOfEveryProblem) {
  const std::vector<std::tuple<const char*, nlohmann::json, const char*>> cases = {
      {"/spec/duration", "2h", "spec.duration"},
      {"/spec/duration", "forever", "spec.duration"},
      {"/spec/mode", "some", "spec.mode"},
      {"/spec/value", 150, "spec.value"},
      {"/spec/faults/0/meteor", nlohmann::json::object(), "spec.faults[0].meteor"},
      {"/spec/faults/0/abort", nlohmann::json::object(), "exactly one"},
      {"/spec/faults/0/latency/delayMs", "1 s", "spec.faults[0].latency.delayMs"},
      {"/spec/faults/0/latency/jitterMs", 500, "spec.faults[0].latency.jitterMs"},
      {"/spec/faults/1/httpError/status", 200, "spec.faults[1].httpError.status"},
      {"/spec/faults/1/httpError/percent", 0, "spec.faults[1].httpError.percent"},
      {"/spec/faults/2/match", nlohmann::json::object(), "spec.faults[2].match"},
      {"/spec/selector", nlohmann::json::object(), "spec.selector"},
      {"/spec/selector/matchExpressions/0/operator", "Near",
       "spec.selector.matchExpressions[0].operator"},
      {"/spec/expect/policyRef", nlohmann::json::object(), "spec.expect.policyRef.name"},
      {"/spec/faults", nlohmann::json::array(), "spec.faults"},
      {"/spec/startTime", "noon", "spec.startTime"},
  };
  for (const auto& [ptr, value, path] : cases) {
    auto j = ValidScenario();
    j[nlohmann::json::json_pointer(ptr)] = value;
    auto s = FaultScenarioFromJson(j);
    ASSERT_FALSE(s.ok()) << ptr;
    EXPECT_NE(s.error().message.find(path), std::string::npos) << s.error().message;
  }
  auto j = ValidScenario();
  j["spec"].erase("duration");
  auto s = FaultScenarioFromJson(j);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find("spec.duration: required"), std::string::npos);
}

TEST(FaultScenarioTest, StatusRoundTrips) {
  FaultScenarioStatus st;
  st.phase = "Completed";
  st.targets.push_back({"orders-1", "127.0.0.2", true, {"fs-1"}, "", ""});
  st.start_time = "2026-11-22T08:00:00Z";
  st.verdict = "Passed";
  st.mttd = "12s";
  st.mttd_seconds = 12.5;
  st.actions_observed = {"throttle"};
  auto back = FaultScenarioStatusFromJson(ToJson(st));
  EXPECT_EQ(ToJson(back).dump(), ToJson(st).dump());
  EXPECT_EQ(*back.mttd_seconds, 12.5);
  EXPECT_EQ(back.targets[0].fault_ids[0], "fs-1");
}

}  // namespace
}  // namespace kubeheal::api
