// The in-memory FakeKubeOperations behaves like the API server where the reconcilers rely on it.
#include "kubeheal/controllers/testing/fake_kube_operations.h"

#include <gtest/gtest.h>

namespace kubeheal::controllers {
namespace {

Json Object(const std::string& name) {
  return {{"apiVersion", "kubeheal.io/v1alpha1"},
          {"kind", "HealingPolicy"},
          {"metadata", {{"name", name}, {"namespace", "shop"}}}};
}

Json Pod(const std::string& name, const std::string& app) {
  return {{"metadata", {{"name", name}, {"namespace", "shop"}, {"labels", {{"app", app}}}}}};
}

TEST(FakeKubeOperationsTest, AStatusUpdateWithAStaleResourceVersionIsAConflict) {
  FakeKubeOperations kube;
  kube.PutCustom("HealingPolicy", Object("orders"));
  auto first = kube.GetCustom("HealingPolicy", "shop", "orders");
  ASSERT_TRUE(first.ok());
  Json update = *first;
  update["status"] = {{"phase", "Healthy"}};
  auto written = kube.UpdateCustomStatus("HealingPolicy", update);
  ASSERT_TRUE(written.ok());
  EXPECT_NE((*written)["metadata"]["resourceVersion"], (*first)["metadata"]["resourceVersion"]);
  auto stale = kube.UpdateCustomStatus("HealingPolicy", update);  // the old resourceVersion
  ASSERT_FALSE(stale.ok());
  EXPECT_EQ(stale.error().http_status, 409);
  EXPECT_TRUE(stale.error().retryable());
  EXPECT_EQ(kube.Journal(),
            std::vector<std::string>{"UpdateCustomStatus HealingPolicy shop/orders phase=Healthy"});
}

TEST(FakeKubeOperationsTest, AMissingObjectIsNotFound) {
  FakeKubeOperations kube;
  auto got = kube.GetCustom("HealingPolicy", "shop", "none");
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.error().http_status, 404);
  EXPECT_EQ(kube.GetWorkload("Deployment", "shop", "none").error().http_status, 404);
}

TEST(FakeKubeOperationsTest, PodsAreListedBySelectorAndAnEvictionRemovesOne) {
  FakeKubeOperations kube;
  kube.PutPod(Pod("orders-a", "orders"));
  kube.PutPod(Pod("orders-b", "orders"));
  kube.PutPod(Pod("users-a", "users"));
  auto listed = kube.ListPods("shop", "app=orders");
  ASSERT_TRUE(listed.ok());
  EXPECT_EQ(listed->size(), 2u);
  EXPECT_EQ(kube.ListPods("shop", "app in (orders,users)")->size(), 3u);
  EXPECT_EQ(kube.ListPods("other", "")->size(), 0u);
  EXPECT_FALSE(kube.ListPods("shop", "app in (").ok());
  ASSERT_TRUE(kube.EvictPod("shop", "orders-a").ok());
  EXPECT_EQ(kube.PodNames("shop"), (std::vector<std::string>{"orders-b", "users-a"}));
  EXPECT_EQ(kube.EvictPod("shop", "orders-a").error().http_status, 404);
}

TEST(FakeKubeOperationsTest, ScaleAndRestartChangeTheStoredWorkload) {
  FakeKubeOperations kube;
  kube.PutWorkload({{"kind", "Deployment"},
                    {"metadata", {{"name", "orders"}, {"namespace", "shop"}}},
                    {"spec", {{"replicas", 2}}}});
  ASSERT_TRUE(kube.SetReplicas("Deployment", "shop", "orders", 3).ok());
  EXPECT_EQ(*kube.GetReplicas("Deployment", "shop", "orders"), 3);
  ASSERT_TRUE(kube.RolloutRestart("Deployment", "shop", "orders", "2026-12-03T18:00:00Z").ok());
  const auto stored = *kube.Workload("Deployment", "shop", "orders");
  EXPECT_EQ(
      stored["spec"]["template"]["metadata"]["annotations"]["kubectl.kubernetes.io/restartedAt"],
      "2026-12-03T18:00:00Z");
}

TEST(FakeKubeOperationsTest, AProgrammedFailureComesBackThatManyTimes) {
  FakeKubeOperations kube;
  kube.PutCustom("HealingPolicy", Object("orders"));
  kube.Fail("GetCustom", Error::Retryable("Unavailable", "apiserver down", 503), 2);
  EXPECT_EQ(kube.GetCustom("HealingPolicy", "shop", "orders").error().http_status, 503);
  EXPECT_EQ(kube.GetCustom("HealingPolicy", "shop", "orders").error().http_status, 503);
  EXPECT_TRUE(kube.GetCustom("HealingPolicy", "shop", "orders").ok());
  EXPECT_EQ(kube.Calls("GetCustom"), 3);
  kube.Fail("RecordEvent", Error::Retryable("Unavailable", "down", 503));
  EXPECT_FALSE(kube.RecordEvent(Object("orders"), "Normal", "X", "m").ok());
  kube.Heal("RecordEvent");
  EXPECT_TRUE(kube.RecordEvent(Object("orders"), "Normal", "X", "m").ok());
  ASSERT_EQ(kube.Events().size(), 1u);
  EXPECT_EQ(kube.Events()[0].name, "orders");
}

TEST(FakeKubeOperationsTest, EveryCallIsCountedByOperationAndInTotal) {
  FakeKubeOperations kube;
  EXPECT_EQ(kube.TotalCalls(), 0);
  kube.PutCustom("HealingPolicy", Object("orders"));  // seeding is not a call
  kube.PutSecret("shop", "agent-token", "token", "s3cret");
  EXPECT_EQ(kube.TotalCalls(), 0);
  (void)kube.GetCustom("HealingPolicy", "shop", "orders");
  (void)kube.GetCustom("HealingPolicy", "shop", "none");  // a 404 is a call too
  (void)kube.GetSecretValue("shop", "agent-token", "token");
  EXPECT_EQ(kube.Calls("GetCustom"), 2);
  EXPECT_EQ(kube.Calls("GetSecretValue"), 1);
  EXPECT_EQ(kube.Calls("ListPods"), 0);
  EXPECT_EQ(kube.TotalCalls(), 3);
}

TEST(FakeKubeOperationsTest, SecretsAreServedByNamespaceNameAndKey) {
  FakeKubeOperations kube;
  kube.PutSecret("shop", "agent-token", "token", "s3cret");
  EXPECT_EQ(*kube.GetSecretValue("shop", "agent-token", "token"), "s3cret");
  EXPECT_EQ(kube.GetSecretValue("other", "agent-token", "token").error().http_status, 404);
}

}  // namespace
}  // namespace kubeheal::controllers
