#include "kubeheal/controllers/cached_kube_operations.h"

#include <gtest/gtest.h>

#include "kubeheal/common/fake_clock.h"
#include "kubeheal/controllers/testing/fake_kube_operations.h"

namespace kubeheal::controllers {
namespace {

using namespace std::chrono_literals;

// As a list's items come: without apiVersion and kind.
Json Object(const std::string& name, const std::string& rv, Json labels = Json::object()) {
  return {{"metadata",
           {{"name", name}, {"namespace", "shop"}, {"resourceVersion", rv}, {"labels", labels}}}};
}

std::string ResourceVersion(const Json& object) {
  return object["metadata"]["resourceVersion"].get<std::string>();
}

// The API server is a FakeKubeOperations: what it serves, and how often it was asked, are its
// own; the informer caches are plain ObjectCaches the test fills.
class CachedKubeOperationsTest : public ::testing::Test {
 protected:
  CachedKubeOperationsTest() {
    for (const auto* kind : {"HealingPolicy", "Deployment", "Pod"}) {
      ops_.AddSource(kind, {"", [this] { return synced_; }, &caches_[kind]});
    }
  }

  // The orders policy stored in the API server, and the same version in the informer cache.
  Json PutPolicyInApiAndCache() {
    api_->PutCustom("HealingPolicy", {{"apiVersion", "kubeheal.io/v1alpha1"},
                                      {"kind", "HealingPolicy"},
                                      {"metadata", {{"name", "orders"}, {"namespace", "shop"}}}});
    Json stored = StoredPolicy();
    caches_["HealingPolicy"].Upsert(stored);
    return stored;
  }
  Json StoredPolicy() const { return *api_->Custom("HealingPolicy", "shop", "orders"); }

  std::shared_ptr<FakeKubeOperations> api_ = std::make_shared<FakeKubeOperations>();
  std::shared_ptr<FakeClock> clock_ = std::make_shared<FakeClock>();
  std::map<std::string, kube::ObjectCache> caches_;
  bool synced_ = true;
  CachedKubeOperations ops_{api_, clock_};
};

TEST_F(CachedKubeOperationsTest, SteadyStateReadsNeverReachTheApi) {
  caches_["HealingPolicy"].Upsert(Object("orders", "7"));
  caches_["Deployment"].Upsert(Object("orders", "3"));
  caches_["Pod"].Upsert(Object("orders-a", "1", {{"app", "orders"}}));
  caches_["Pod"].Upsert(Object("orders-b", "1", {{"app", "orders"}, {"canary", "1"}}));
  caches_["Pod"].Upsert(Object("users-a", "1", {{"app", "users"}}));
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
  EXPECT_EQ(api_->TotalCalls(), 0);
  EXPECT_EQ(ops_.api_reads(), 0);
  EXPECT_EQ(ops_.cache_reads(), 9);
}

TEST_F(CachedKubeOperationsTest, MissingFromASyncedCacheIsNotFound) {
  api_->PutCustom("HealingPolicy", Object("gone", ""));  // the cache is the truth here
  auto missing = ops_.GetCustom("HealingPolicy", "shop", "gone");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().http_status, 404);
  EXPECT_EQ(api_->TotalCalls(), 0);
}

TEST_F(CachedKubeOperationsTest, UnsyncedOrUncachedReadsGoToTheApi) {
  api_->PutWorkload(
      {{"kind", "Deployment"}, {"metadata", {{"name", "orders"}, {"namespace", "shop"}}}});
  api_->PutWorkload(
      {{"kind", "StatefulSet"}, {"metadata", {{"name", "db"}, {"namespace", "shop"}}}});
  synced_ = false;
  EXPECT_TRUE(ops_.GetWorkload("Deployment", "shop", "orders").ok());
  EXPECT_EQ(api_->Calls("GetWorkload"), 1);
  synced_ = true;
  EXPECT_TRUE(ops_.GetWorkload("StatefulSet", "shop", "db").ok());  // no StatefulSet cache
  EXPECT_EQ(api_->Calls("GetWorkload"), 2);
  auto bad = ops_.ListPods("shop", "tier in (a");
  ASSERT_FALSE(bad.ok());  // the API server names the error
  EXPECT_EQ(bad.error().http_status, 400);
  EXPECT_EQ(api_->Calls("ListPods"), 1);
  EXPECT_EQ(ops_.api_reads(), 3);
}

TEST_F(CachedKubeOperationsTest, AfterItsOwnWriteAReconcilerNeverReadsAnOlderObject) {
  Json update = PutPolicyInApiAndCache();
  update["status"] = {{"phase", "Healthy"}};
  auto written = ops_.UpdateCustomStatus("HealingPolicy", update);
  ASSERT_TRUE(written.ok()) << written.error().message;
  ASSERT_NE(ResourceVersion(*written), ResourceVersion(update));
  // The watch has not delivered the new version yet: the API answers.
  auto read = ops_.GetCustom("HealingPolicy", "shop", "orders");
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(ResourceVersion(*read), ResourceVersion(*written));
  EXPECT_EQ((*read)["status"]["phase"], "Healthy");
  EXPECT_EQ(api_->Calls("GetCustom"), 1);
  // Once it has, the cache answers again.
  caches_["HealingPolicy"].Upsert(StoredPolicy());
  EXPECT_EQ(ResourceVersion(*ops_.GetCustom("HealingPolicy", "shop", "orders")),
            ResourceVersion(*written));
  EXPECT_EQ(api_->Calls("GetCustom"), 1);
  EXPECT_EQ(ops_.api_reads(), 1);
}

TEST_F(CachedKubeOperationsTest, ReadYourWritesEndsAfterItsWindow) {
  PutPolicyInApiAndCache();
  auto ours = ops_.PatchCustomMetadata("HealingPolicy", "shop", "orders", Json::object());
  ASSERT_TRUE(ours.ok());
  // Someone else wrote a newer version right after: the cache never shows ours.
  Json theirs = StoredPolicy();
  theirs["metadata"]["labels"] = {{"edited", "yes"}};
  api_->PutCustom("HealingPolicy", theirs);
  caches_["HealingPolicy"].Upsert(StoredPolicy());
  ASSERT_NE(ResourceVersion(StoredPolicy()), ResourceVersion(*ours));
  clock_->Advance(11s);
  EXPECT_EQ(ResourceVersion(*ops_.GetCustom("HealingPolicy", "shop", "orders")),
            ResourceVersion(StoredPolicy()));
  EXPECT_EQ(api_->Calls("GetCustom"), 0);
  EXPECT_EQ(ops_.api_reads(), 0);
}

TEST_F(CachedKubeOperationsTest, AgentTokenIsReadOncePerTtl) {
  api_->PutSecret("shop", "kubeheal-agent-token", "token", "tok");
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(*ops_.GetSecretValue("shop", "kubeheal-agent-token", "token"), "tok");
    clock_->Advance(5s);
  }
  EXPECT_EQ(api_->Calls("GetSecretValue"), 1);
  clock_->Advance(10s);  // past the 30 s TTL
  EXPECT_EQ(*ops_.GetSecretValue("shop", "kubeheal-agent-token", "token"), "tok");
  EXPECT_EQ(api_->Calls("GetSecretValue"), 2);
}

TEST_F(CachedKubeOperationsTest, TransientSecretErrorsAreNotRemembered) {
  api_->PutSecret("shop", "kubeheal-agent-token", "token", "tok");
  api_->Fail("GetSecretValue", Error::Retryable("Timeout", "timed out"), 1);
  EXPECT_FALSE(ops_.GetSecretValue("shop", "kubeheal-agent-token", "token").ok());
  EXPECT_EQ(*ops_.GetSecretValue("shop", "kubeheal-agent-token", "token"), "tok");
  EXPECT_EQ(api_->Calls("GetSecretValue"), 2);
}

}  // namespace
}  // namespace kubeheal::controllers
