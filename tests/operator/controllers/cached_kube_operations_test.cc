#include "kubeheal/controllers/cached_kube_operations.h"

#include <gtest/gtest.h>

#include "kubeheal/common/fake_clock.h"
#include "mocks.h"

namespace kubeheal::controllers {
namespace {

using namespace std::chrono_literals;
using ::testing::_;
using ::testing::Return;

// As a list's items come: without apiVersion and kind.
Json Object(const std::string& kind, const std::string& name, const std::string& rv,
            Json labels = Json::object()) {
  (void)kind;
  return {{"metadata",
           {{"name", name}, {"namespace", "shop"}, {"resourceVersion", rv}, {"labels", labels}}}};
}

class CachedKubeOperationsTest : public ::testing::Test {
 protected:
  CachedKubeOperationsTest() {
    for (const auto* kind : {"HealingPolicy", "Deployment", "Pod"}) {
      ops_.AddSource(kind, {"", [this] { return synced_; }, &caches_[kind]});
    }
  }

  std::shared_ptr<MockKubeOperations> api_ =
      std::make_shared<::testing::StrictMock<MockKubeOperations>>();
  std::shared_ptr<FakeClock> clock_ = std::make_shared<FakeClock>();
  std::map<std::string, kube::ObjectCache> caches_;
  bool synced_ = true;
  CachedKubeOperations ops_{api_, clock_};
};

TEST_F(CachedKubeOperationsTest, SteadyStateReadsNeverReachTheApi) {
  caches_["HealingPolicy"].Upsert(Object("HealingPolicy", "orders", "7"));
  caches_["Deployment"].Upsert(Object("Deployment", "orders", "3"));
  caches_["Pod"].Upsert(Object("Pod", "orders-a", "1", {{"app", "orders"}}));
  caches_["Pod"].Upsert(Object("Pod", "orders-b", "1", {{"app", "orders"}, {"canary", "1"}}));
  caches_["Pod"].Upsert(Object("Pod", "users-a", "1", {{"app", "users"}}));
  // StrictMock: any API call fails the test.
  for (int tick = 0; tick < 3; ++tick) {
    auto policy = ops_.GetCustom("HealingPolicy", "shop", "orders");
    ASSERT_TRUE(policy.ok());
    EXPECT_EQ((*policy)["metadata"]["resourceVersion"], "7");
    EXPECT_EQ((*policy)["kind"], "HealingPolicy");
    EXPECT_EQ((*policy)["apiVersion"], "kubeheal.io/v1alpha1");
    auto deployment = ops_.GetWorkload("Deployment", "shop", "orders");
    ASSERT_TRUE(deployment.ok());
    EXPECT_EQ((*deployment)["apiVersion"], "apps/v1");
    auto pods = ops_.ListPods("shop", "app=orders,!canary");
    ASSERT_TRUE(pods.ok());
    ASSERT_EQ(pods->size(), 1u);
    EXPECT_EQ((*pods)[0]["metadata"]["name"], "orders-a");
    EXPECT_EQ((*pods)[0]["kind"], "Pod");
  }
  EXPECT_EQ(ops_.api_reads(), 0);
  EXPECT_EQ(ops_.cache_reads(), 9);
}

TEST_F(CachedKubeOperationsTest, MissingFromASyncedCacheIsNotFound) {
  auto missing = ops_.GetCustom("HealingPolicy", "shop", "gone");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().http_status, 404);
}

TEST_F(CachedKubeOperationsTest, UnsyncedOrUncachedReadsGoToTheApi) {
  synced_ = false;
  EXPECT_CALL(*api_, GetWorkload("Deployment", "shop", "orders"))
      .WillOnce(Return(Result<Json>(Object("Deployment", "orders", "3"))));
  EXPECT_TRUE(ops_.GetWorkload("Deployment", "shop", "orders").ok());
  synced_ = true;
  EXPECT_CALL(*api_, GetWorkload("StatefulSet", "shop", "db"))
      .WillOnce(Return(Result<Json>(Object("StatefulSet", "db", "3"))));
  EXPECT_TRUE(ops_.GetWorkload("StatefulSet", "shop", "db").ok());  // no StatefulSet cache
  EXPECT_CALL(*api_, ListPods("shop", "tier in (a"))
      .WillOnce(Return(Result<std::vector<Json>>(Error::Terminal("BadRequest", "bad", 400))));
  EXPECT_FALSE(ops_.ListPods("shop", "tier in (a").ok());  // the API server names the error
  EXPECT_EQ(ops_.api_reads(), 3);
}

TEST_F(CachedKubeOperationsTest, AfterItsOwnWriteAReconcilerNeverReadsAnOlderObject) {
  caches_["HealingPolicy"].Upsert(Object("HealingPolicy", "orders", "7"));
  EXPECT_CALL(*api_, UpdateCustomStatus("HealingPolicy", _))
      .WillOnce(Return(Result<Json>(Object("HealingPolicy", "orders", "8"))));
  ASSERT_TRUE(
      ops_.UpdateCustomStatus("HealingPolicy", Object("HealingPolicy", "orders", "7")).ok());
  // The watch has not delivered version 8 yet: the API answers.
  EXPECT_CALL(*api_, GetCustom("HealingPolicy", "shop", "orders"))
      .WillOnce(Return(Result<Json>(Object("HealingPolicy", "orders", "8"))));
  EXPECT_EQ((*ops_.GetCustom("HealingPolicy", "shop", "orders"))["metadata"]["resourceVersion"],
            "8");
  // Once it has, the cache answers again.
  caches_["HealingPolicy"].Upsert(Object("HealingPolicy", "orders", "8"));
  EXPECT_EQ((*ops_.GetCustom("HealingPolicy", "shop", "orders"))["metadata"]["resourceVersion"],
            "8");
  EXPECT_EQ(ops_.api_reads(), 1);
}

TEST_F(CachedKubeOperationsTest, ReadYourWritesEndsAfterItsWindow) {
  caches_["HealingPolicy"].Upsert(Object("HealingPolicy", "orders", "7"));
  EXPECT_CALL(*api_, PatchCustomMetadata("HealingPolicy", "shop", "orders", _))
      .WillOnce(Return(Result<Json>(Object("HealingPolicy", "orders", "8"))));
  ASSERT_TRUE(ops_.PatchCustomMetadata("HealingPolicy", "shop", "orders", Json::object()).ok());
  // Someone else wrote version 9 right after: the cache never shows our 8.
  caches_["HealingPolicy"].Upsert(Object("HealingPolicy", "orders", "9"));
  clock_->Advance(11s);
  EXPECT_EQ((*ops_.GetCustom("HealingPolicy", "shop", "orders"))["metadata"]["resourceVersion"],
            "9");
  EXPECT_EQ(ops_.api_reads(), 0);
}

TEST_F(CachedKubeOperationsTest, AgentTokenIsReadOncePerTtl) {
  EXPECT_CALL(*api_, GetSecretValue("shop", "kubeheal-agent-token", "token"))
      .Times(2)
      .WillRepeatedly(Return(Result<std::string>("tok")));
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(*ops_.GetSecretValue("shop", "kubeheal-agent-token", "token"), "tok");
    clock_->Advance(5s);
  }
  clock_->Advance(10s);  // past the 30 s TTL
  EXPECT_EQ(*ops_.GetSecretValue("shop", "kubeheal-agent-token", "token"), "tok");
}

TEST_F(CachedKubeOperationsTest, TransientSecretErrorsAreNotRemembered) {
  EXPECT_CALL(*api_, GetSecretValue("shop", "kubeheal-agent-token", "token"))
      .WillOnce(Return(Result<std::string>(Error::Retryable("Timeout", "timed out"))))
      .WillOnce(Return(Result<std::string>("tok")));
  EXPECT_FALSE(ops_.GetSecretValue("shop", "kubeheal-agent-token", "token").ok());
  EXPECT_EQ(*ops_.GetSecretValue("shop", "kubeheal-agent-token", "token"), "tok");
}

}  // namespace
}  // namespace kubeheal::controllers
