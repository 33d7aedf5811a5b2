#include <gtest/gtest.h>

#include "kubeheal/api/object_meta.h"
#include "kubeheal/common/fake_clock.h"

namespace kubeheal::api {
namespace {

using namespace std::chrono_literals;

TEST(ConditionsTest, KeepsTransitionTimeWhileStatusHolds) {
  FakeClock clock;
  std::vector<Condition> conditions;
  EXPECT_TRUE(
      SetCondition(&conditions, {"PrometheusAvailable", "True", "QueryOk", ""}, clock.Now()));
  const auto first = conditions[0].last_transition_time;
  clock.Advance(60s);
  EXPECT_FALSE(
      SetCondition(&conditions, {"PrometheusAvailable", "True", "QueryOk", ""}, clock.Now()));
  EXPECT_TRUE(
      SetCondition(&conditions, {"PrometheusAvailable", "True", "QueryOk", "again"}, clock.Now()));
  EXPECT_EQ(conditions[0].last_transition_time, first);
  EXPECT_TRUE(SetCondition(&conditions,
                           {"PrometheusAvailable", "False", "QueryFailed", "connection refused"},
                           clock.Now()));
  ASSERT_EQ(conditions.size(), 1u);
  EXPECT_NE(conditions[0].last_transition_time, first);
  EXPECT_EQ(FindCondition(conditions, "PrometheusAvailable")->reason, "QueryFailed");
  EXPECT_EQ(FindCondition(conditions, "Ready"), nullptr);
}

TEST(ObjectMetaTest, ReadsLabelsFinalizersAndDeletion) {
  auto m = ObjectMetaFromJson(nlohmann::json::parse(R"J({
    "name":"x","namespace":"ns","uid":"u","resourceVersion":"7","generation":3,
    "labels":{"app":"orders"},"finalizers":["kubeheal.io/fault-cleanup"],
    "deletionTimestamp":"2026-11-22T08:00:00Z"})J"));
  EXPECT_EQ(m.Key(), "ns/x");
  EXPECT_EQ(m.generation, 3);
  EXPECT_EQ(m.labels.at("app"), "orders");
  EXPECT_TRUE(m.HasFinalizer("kubeheal.io/fault-cleanup"));
  EXPECT_TRUE(m.BeingDeleted());
}

}  // namespace
}  // namespace kubeheal::api
