// PolicyStateStore, the state step of a HealingPolicy evaluation, against the in-memory
// FakeKubeOperations: what is loaded at a (re)start, and what a status write does on a conflict.
#include "kubeheal/controllers/policy_state_store.h"

#include <gtest/gtest.h>

#include "kubeheal/common/fake_clock.h"
#include "kubeheal/controllers/testing/fake_kube_operations.h"
#include "kubeheal/policy/state_json.h"

namespace kubeheal::controllers {
namespace {

using namespace std::chrono_literals;

Json PolicyObject() {
  return Json::parse(R"({
    "apiVersion": "kubeheal.io/v1alpha1", "kind": "HealingPolicy",
    "metadata": {"name": "orders", "namespace": "shop", "generation": 2},
    "spec": {"targetRef": {"kind": "Deployment", "name": "orders"}}})");
}

class PolicyStateStoreTest : public ::testing::Test {
 protected:
  PolicyStateStore Store(std::chrono::seconds refresh = 0s) {
    return PolicyStateStore(kube_, engine_, metrics_, clock_, refresh);
  }
  Json Stored() { return *kube_->Custom("HealingPolicy", "shop", "orders"); }
  const api::Condition* Condition(const std::string& type) {
    return api::FindCondition(conditions_, type);
  }

  std::shared_ptr<FakeClock> clock_ = std::make_shared<FakeClock>();
  std::shared_ptr<FakeKubeOperations> kube_ = std::make_shared<FakeKubeOperations>();
  std::shared_ptr<policy::GlobalBudget> budget_ = std::make_shared<policy::GlobalBudget>(0);
  std::shared_ptr<policy::DecisionEngine> engine_ =
      std::make_shared<policy::DecisionEngine>(clock_, budget_);
  std::shared_ptr<OperatorMetrics> metrics_ =
      std::make_shared<OperatorMetrics>(std::make_shared<prometheus::Registry>());
  std::vector<api::Condition> conditions_;
};

TEST_F(PolicyStateStoreTest, APolicyWithoutAStoredStateStartsANewOne) {
  const auto loaded = Store().Load("shop/orders", PolicyObject(), 2, &conditions_);
  EXPECT_FALSE(loaded.restored);
  EXPECT_TRUE(loaded.engine.history.empty());
  ASSERT_NE(Condition(kEngineStateValid), nullptr);
  EXPECT_EQ(Condition(kEngineStateValid)->reason, "New");
  EXPECT_EQ(Condition(kEngineStateValid)->observed_generation, 2);
}

TEST_F(PolicyStateStoreTest, WhatPersistWroteLoadsBackAsRestored) {
  kube_->PutCustom("HealingPolicy", PolicyObject());
  auto store = Store();
  PolicyEngineState state;
  state.engine.holds.push_back({"p99", clock_->Now() - 20s});
  state.scenario_tags["d-1"] = "shop/slow-drill";
  api::HealingPolicyStatus status;
  status.phase = "Anomalous";
  Json object = Stored();
  ASSERT_TRUE(store.Persist(&object, state, status).ok());
  EXPECT_TRUE(state.status_written.has_value());
  EXPECT_EQ(object["metadata"]["resourceVersion"], Stored()["metadata"]["resourceVersion"]);

  const auto loaded = store.Load("shop/orders", Stored(), 2, &conditions_);
  EXPECT_TRUE(loaded.restored);
  ASSERT_EQ(loaded.engine.holds.size(), 1u);
  EXPECT_EQ(loaded.engine.holds[0].signal, "p99");
  EXPECT_EQ(loaded.scenario_tags.at("d-1"), "shop/slow-drill");
  EXPECT_EQ(Condition(kEngineStateValid)->reason, "Restored");
}

TEST_F(PolicyStateStoreTest, AStateThatDoesNotReadIsSaidAndReplaced) {
  Json object = PolicyObject();
  object["status"]["engineState"] = {{"engine", {{"history", "not a list"}}}};
  const auto loaded = Store().Load("shop/orders", object, 2, &conditions_);
  EXPECT_FALSE(loaded.restored);
  EXPECT_EQ(Condition(kEngineStateValid)->status, "False");
  EXPECT_EQ(Condition(kEngineStateValid)->reason, "Corrupt");
  EXPECT_NE(Condition(kEngineStateValid)->message.find("status.engineState.engine"),
            std::string::npos)
      << Condition(kEngineStateValid)->message;
  const auto events = kube_->Events();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].reason, "EngineStateCorrupt");
  EXPECT_EQ(events[0].type, "Warning");
}

TEST_F(PolicyStateStoreTest, AConflictIsReadAgainAndWrittenOnce) {
  kube_->PutCustom("HealingPolicy", PolicyObject());
  Json object = Stored();
  kube_->ConflictNextStatusUpdate("HealingPolicy", "shop", "orders");
  PolicyEngineState state;
  api::HealingPolicyStatus status;
  status.phase = "Healthy";
  ASSERT_TRUE(Store().Persist(&object, state, status).ok());
  EXPECT_EQ(kube_->Calls("UpdateCustomStatus"), 2);
  EXPECT_EQ(kube_->Calls("GetCustom"), 1);
  EXPECT_EQ(Stored()["status"]["phase"], "Healthy");
  EXPECT_TRUE(Stored()["status"]["engineState"]["engine"].is_object());
}

TEST_F(PolicyStateStoreTest, ASecondConflictComesBackRetryable) {
  kube_->PutCustom("HealingPolicy", PolicyObject());
  Json object = Stored();
  kube_->ConflictNextStatusUpdate("HealingPolicy", "shop", "orders", 2);
  PolicyEngineState state;
  auto written = Store().Persist(&object, state, api::HealingPolicyStatus{});
  ASSERT_FALSE(written.ok());
  EXPECT_TRUE(written.error().retryable());
  EXPECT_EQ(written.error().http_status, 409);
  EXPECT_FALSE(state.status_written.has_value());
  EXPECT_FALSE(Stored().contains("status"));
}

TEST_F(PolicyStateStoreTest, OnlyLiveFiguresChangedIsWrittenAtTheRefreshOnly) {
  kube_->PutCustom("HealingPolicy", PolicyObject());
  auto store = Store(30s);
  Json object = Stored();
  PolicyEngineState state;
  api::HealingPolicyStatus status;
  status.phase = "Healthy";
  status.signals.push_back({"p99", 0.1});
  ASSERT_TRUE(store.Persist(&object, state, status).ok());
  status.signals[0].value = 0.2;  // a live figure
  clock_->Advance(10s);
  ASSERT_TRUE(store.Persist(&object, state, status).ok());
  EXPECT_EQ(kube_->Calls("UpdateCustomStatus"), 1);
  status.phase = "Anomalous";  // not a live figure: written at once
  ASSERT_TRUE(store.Persist(&object, state, status).ok());
  EXPECT_EQ(kube_->Calls("UpdateCustomStatus"), 2);
  status.phase = "Healthy";
  clock_->Advance(31s);
  status.signals[0].value = 0.3;
  ASSERT_TRUE(store.Persist(&object, state, status).ok());
  EXPECT_EQ(kube_->Calls("UpdateCustomStatus"), 3);
}

TEST_F(PolicyStateStoreTest, AnEarlierVersionsAnnotationIsMigratedThenRemoved) {
  Json object = PolicyObject();
  policy::PolicyState engine;
  engine.holds.push_back({"p99", clock_->Now()});
  object["metadata"]["annotations"][kEngineStateAnnotation] =
      Json{{"engine", policy::PolicyStateToJson(engine)}}.dump();
  kube_->PutCustom("HealingPolicy", object);
  auto store = Store();
  auto loaded = store.Load("shop/orders", Stored(), 2, &conditions_);
  EXPECT_EQ(Condition(kEngineStateValid)->reason, "Migrated");
  ASSERT_EQ(loaded.engine.holds.size(), 1u);
  object = Stored();
  ASSERT_TRUE(store.Persist(&object, loaded, api::HealingPolicyStatus{}).ok());
  EXPECT_FALSE(Stored()["metadata"]["annotations"].contains(kEngineStateAnnotation));
  EXPECT_TRUE(Stored()["status"]["engineState"]["engine"]["holds"].is_array());

  // A refused removal is logged, not a failed write.
  kube_->Fail("PatchCustomMetadata", Error::Terminal("Forbidden", "no", 403));
  Json again = PolicyObject();
  again["metadata"]["annotations"][kEngineStateAnnotation] = "{}";
  kube_->PutCustom("HealingPolicy", again);
  again = Stored();
  EXPECT_TRUE(store.Persist(&again, loaded, api::HealingPolicyStatus{}).ok());
}

}  // namespace
}  // namespace kubeheal::controllers
