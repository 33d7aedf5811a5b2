#include "kubeheal/kube/object_cache.h"

#include <gtest/gtest.h>

namespace kubeheal::kube {
namespace {

using Json = nlohmann::json;
using Type = CacheDelta::Type;

Json Obj(const std::string& ns, const std::string& name, const std::string& rv,
         Json labels = Json::object()) {
  return {{"metadata",
           {{"namespace", ns}, {"name", name}, {"resourceVersion", rv}, {"labels", labels}}}};
}

TEST(ObjectCacheTest, UpsertAddsUpdatesAndIgnoresReplays) {
  ObjectCache c;
  auto add = c.Upsert(Obj("a", "x", "1"));
  ASSERT_TRUE(add);
  EXPECT_EQ(add->type, Type::kAdded);
  EXPECT_FALSE(c.Upsert(Obj("a", "x", "1")));  // same version: no doubled event
  auto upd = c.Upsert(Obj("a", "x", "2"));
  ASSERT_TRUE(upd);
  EXPECT_EQ(upd->type, Type::kUpdated);
  EXPECT_EQ((*upd->old_object)["metadata"]["resourceVersion"], "1");
  EXPECT_EQ((*c.Get("a/x"))["metadata"]["resourceVersion"], "2");
  EXPECT_EQ(c.size(), 1u);
}

TEST(ObjectCacheTest, NamespaceAndLabelIndexesFollowChanges) {
  ObjectCache c;
  (void)c.Upsert(Obj("a", "x", "1", {{"app", "web"}, {"tier", "front"}}));
  (void)c.Upsert(Obj("a", "y", "1", {{"app", "web"}}));
  (void)c.Upsert(Obj("b", "z", "1", {{"app", "web"}, {"tier", "front"}}));
  EXPECT_EQ(c.ListNamespace("a").size(), 2u);
  EXPECT_EQ(c.ListByLabels({{"app", "web"}}).size(), 3u);
  EXPECT_EQ(c.ListByLabels({{"app", "web"}, {"tier", "front"}}).size(), 2u);
  EXPECT_EQ(c.ListByLabels({{"app", "web"}, {"tier", "front"}}, "b").size(), 1u);
  EXPECT_EQ(c.ListByLabels({{"app", "db"}}).size(), 0u);
  (void)c.Upsert(Obj("a", "x", "2", {{"app", "db"}}));  // relabelled
  EXPECT_EQ(c.ListByLabels({{"app", "web"}}).size(), 2u);
  EXPECT_EQ(c.ListByLabels({{"app", "db"}}).size(), 1u);
  auto del = c.Remove(Obj("a", "y", "3"));
  ASSERT_TRUE(del);
  EXPECT_EQ(del->type, Type::kDeleted);
  EXPECT_FALSE(c.Remove(Obj("a", "y", "3")));
  EXPECT_EQ(c.ListNamespace("a").size(), 1u);
  EXPECT_EQ(c.ListByLabels({{"app", "web"}}).size(), 1u);
}

TEST(ObjectCacheTest, ReplaceComputesAddsUpdatesAndDeletes) {
  ObjectCache c;
  (void)c.Upsert(Obj("a", "keep", "1"));
  (void)c.Upsert(Obj("a", "change", "1"));
  (void)c.Upsert(Obj("a", "gone", "1"));
  auto deltas = c.Replace(
      Json::array({Obj("a", "keep", "1"), Obj("a", "change", "7"), Obj("a", "new", "8")}));
  std::map<std::string, Type> by_key;
  for (const auto& d : deltas) by_key[ObjectCache::KeyOf(*d.object)] = d.type;
  EXPECT_EQ(by_key.size(), 3u);
  EXPECT_EQ(by_key["a/change"], Type::kUpdated);
  EXPECT_EQ(by_key["a/new"], Type::kAdded);
  EXPECT_EQ(by_key["a/gone"], Type::kDeleted);
  EXPECT_EQ(c.size(), 3u);
  EXPECT_EQ(c.Get("a/gone"), nullptr);
}

TEST(ObjectCacheTest, ClusterScopedKeysHaveNoNamespace) {
  ObjectCache c;
  (void)c.Upsert({{"metadata", {{"name", "node-1"}, {"resourceVersion", "1"}}}});
  EXPECT_NE(c.Get("node-1"), nullptr);
  EXPECT_EQ(c.Keys(), std::vector<std::string>{"node-1"});
}

}  // namespace
}  // namespace kubeheal::kube
