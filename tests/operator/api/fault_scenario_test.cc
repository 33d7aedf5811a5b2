#include <gtest/gtest.h>

#include "kubeheal/api/fault_scenario.h"

namespace kubeheal::api {
namespace {

using namespace std::chrono_literals;

nlohmann::json ValidScenario() {
  return nlohmann::json::parse(R"J({
    "metadata": {"name": "slow-orders", "namespace": "shop"},
    "spec": {
      "selector": {"matchLabels": {"app": "orders"}},
      "mode": "percent", "value": 50,
      "faults": [
        {"type": "latency", "latency": {"delay": "300ms", "jitter": "50ms"}, "percent": 80},
        {"httpError": {"status": 503, "percent": 20}},
        {"podKill": {}}
      ],
      "duration": "2m",
      "expect": {"policy": "orders", "detectWithin": "1m", "healWithin": "3m"}
    }})J");
}

TEST(FaultScenarioTest, ParsesBothFaultShapes) {
  auto s = FaultScenarioFromJson(ValidScenario());
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(s->spec.selector.at("app"), "orders");
  EXPECT_EQ(s->spec.mode, "percent");
  EXPECT_EQ(s->spec.value, 50);
  ASSERT_EQ(s->spec.faults.size(), 3u);
  EXPECT_EQ(s->spec.faults[0].type, "latency");
  EXPECT_EQ(s->spec.faults[0].delay, 300ms);
  EXPECT_EQ(s->spec.faults[0].jitter, 50ms);
  EXPECT_EQ(s->spec.faults[0].percent, 80);
  EXPECT_EQ(s->spec.faults[1].type, "httpError");
  EXPECT_EQ(s->spec.faults[1].status, 503);
  EXPECT_EQ(s->spec.faults[1].percent, 20);
  EXPECT_FALSE(s->spec.faults[2].IsAgentFault());
  EXPECT_EQ(s->spec.duration, 2min);
  ASSERT_TRUE(s->spec.expect.has_value());
  EXPECT_EQ(s->spec.expect->policy, "orders");
  EXPECT_EQ(s->spec.expect->detect_within, 1min);
}

TEST(FaultScenarioTest, NamesTheFieldPathOfEveryProblem) {
  const std::vector<std::tuple<const char*, nlohmann::json, const char*>> cases = {
      {"/spec/duration", "25h", "spec.duration"},
      {"/spec/duration", "forever", "spec.duration"},
      {"/spec/mode", "some", "spec.mode"},
      {"/spec/value", 150, "spec.value"},
      {"/spec/faults/0/type", "meteor", "spec.faults[0].type"},
      {"/spec/faults/0/latency/delay", "1 s", "spec.faults[0].latency.delay"},
      {"/spec/faults/1/httpError/status", 200, "spec.faults[1].httpError.status"},
      {"/spec/faults/0/percent", 0, "spec.faults[0].percent"},
      {"/spec/selector", nlohmann::json::object(), "spec.selector"},
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
  st.targets.push_back({"orders-1", "127.0.0.2", true, ""});
  st.start_time = "2026-11-22T08:00:00Z";
  st.verdict = Verdict{"Passed", "detected and healed", "a", "b", 12.5, 40.0, "throttle"};
  auto back = FaultScenarioStatusFromJson(ToJson(st));
  EXPECT_EQ(ToJson(back), ToJson(st));
  EXPECT_EQ(*back.verdict->mttd_seconds, 12.5);
}

}  // namespace
}  // namespace kubeheal::api
