// CRUD, patches, server-side apply, subresources and eviction against the real kube-apiserver
// of the `control_plane` fixture.
#include <unistd.h>

#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "test_cluster.h"

namespace kubeheal::kube {
namespace {

using testing::ConfigMap;
using testing::Eventually;
using ::testing::HasSubstr;
using testing::TestNamespace;

class CrudTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string why;
    client_ = testing::ClientFor(testing::AdminKubeconfigPath(), &why);
    ASSERT_NE(client_, nullptr) << why;
    ns_ = std::make_unique<TestNamespace>(client_, "crud");
    ASSERT_TRUE(ns_->ok()) << ns_->error();
  }
  const std::string& ns() const { return ns_->name(); }

  std::shared_ptr<Client> client_;
  std::unique_ptr<TestNamespace> ns_;
  const GroupVersionResource cms_ = GroupVersionResource::ConfigMaps();
};

TEST_F(CrudTest, ConfigMapLifecycleWithConflictsAndPatches) {
  auto created = client_->Create(cms_, ns(), ConfigMap(ns(), "app", {{"a", "1"}}));
  ASSERT_TRUE(created.ok()) << created.error().ToString();
  const std::string rv1 = (*created)["metadata"]["resourceVersion"];

  auto again = client_->Create(cms_, ns(), ConfigMap(ns(), "app"));
  ASSERT_FALSE(again.ok());
  EXPECT_TRUE(IsAlreadyExists(again.error())) << again.error().ToString();
  EXPECT_FALSE(again.error().retryable());

  Json updated = *created;
  updated["data"]["b"] = "2";
  auto put = client_->Update(cms_, ns(), updated);
  ASSERT_TRUE(put.ok()) << put.error().ToString();
  // The same stale copy again: optimistic concurrency says Conflict (retryable).
  updated["data"]["c"] = "3";
  auto stale = client_->Update(cms_, ns(), updated);
  ASSERT_FALSE(stale.ok());
  EXPECT_TRUE(IsConflict(stale.error())) << stale.error().ToString();
  EXPECT_TRUE(stale.error().retryable());

  auto merged = client_->Patch(cms_, ns(), "app", PatchType::kMerge,
                               {{"data", {{"a", nullptr}, {"m", "x"}}}});
  ASSERT_TRUE(merged.ok()) << merged.error().ToString();
  EXPECT_FALSE((*merged)["data"].contains("a"));
  auto jsonp = client_->Patch(cms_, ns(), "app", PatchType::kJson,
                              Json::array({{{"op", "add"}, {"path", "/data/j"}, {"value", "y"}}}));
  ASSERT_TRUE(jsonp.ok()) << jsonp.error().ToString();
  auto got = client_->Get(cms_, ns(), "app");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ((*got)["data"], (Json{{"b", "2"}, {"m", "x"}, {"j", "y"}}));
  EXPECT_NE((*got)["metadata"]["resourceVersion"], rv1);

  auto bad_test =
      client_->Patch(cms_, ns(), "app", PatchType::kJson,
                     Json::array({{{"op", "test"}, {"path", "/data/b"}, {"value", "nope"}}}));
  ASSERT_FALSE(bad_test.ok());
  EXPECT_FALSE(bad_test.error().retryable());

  ASSERT_TRUE(client_->Delete(cms_, ns(), "app").ok());
  auto gone = client_->Get(cms_, ns(), "app");
  ASSERT_FALSE(gone.ok());
  EXPECT_TRUE(IsNotFound(gone.error()));
  EXPECT_THAT(gone.error().message,
              HasSubstr("get configmaps \"app\" in namespace \"" + ns() + "\""));
}

TEST_F(CrudTest, InvalidObjectReportsFieldCauses) {
  auto bad = client_->Create(cms_, ns(), ConfigMap(ns(), "Not_A_Valid_Name"));
  ASSERT_FALSE(bad.ok());
  EXPECT_TRUE(IsInvalid(bad.error())) << bad.error().ToString();
  ASSERT_FALSE(bad.status().causes.empty());
  EXPECT_EQ(bad.status().causes[0].field, "metadata.name");
  EXPECT_THAT(bad.error().message, HasSubstr("metadata.name"));
}

TEST_F(CrudTest, ListPaginatesWithContinue) {
  for (int i = 0; i < 7; ++i) {
    ASSERT_TRUE(
        client_->Create(cms_, ns(), ConfigMap(ns(), "p" + std::to_string(i), {}, {{"page", "yes"}}))
            .ok());
  }
  ASSERT_TRUE(client_->Create(cms_, ns(), ConfigMap(ns(), "other")).ok());
  ListOptions o;
  o.limit = 3;
  o.label_selector = "page=yes";
  auto first = client_->List(cms_, ns(), o);
  ASSERT_TRUE(first.ok()) << first.error().ToString();
  EXPECT_EQ(first->items.size(), 3u);
  EXPECT_FALSE(first->continue_token.empty());
  auto all = client_->ListAll(cms_, ns(), o);
  ASSERT_TRUE(all.ok()) << all.error().ToString();
  EXPECT_EQ(all->items.size(), 7u);
  EXPECT_FALSE(all->resource_version.empty());
}

TEST_F(CrudTest, ServerSideApplyOwnsFieldsAndReportsConflicts) {
  Json desired = {{"apiVersion", "v1"},
                  {"kind", "ConfigMap"},
                  {"metadata", {{"name", "ssa"}, {"namespace", ns()}}},
                  {"data", {{"owner", "alice"}}}};
  auto first = client_->Apply(cms_, ns(), desired, "alice");
  ASSERT_TRUE(first.ok()) << first.error().ToString();
  EXPECT_EQ((*first)["data"]["owner"], "alice");
  Json theirs = desired;
  theirs["data"]["owner"] = "bob";
  auto conflict = client_->Apply(cms_, ns(), theirs, "bob");
  ASSERT_FALSE(conflict.ok());
  EXPECT_EQ(conflict.status().code, 409);
  EXPECT_FALSE(conflict.status().causes.empty());
  auto forced = client_->Apply(cms_, ns(), theirs, "bob", /*force=*/true);
  ASSERT_TRUE(forced.ok()) << forced.error().ToString();
  EXPECT_EQ((*forced)["data"]["owner"], "bob");
  std::string managers;
  for (const auto& m : (*forced)["metadata"]["managedFields"])
    managers += m["manager"].get<std::string>() + ",";
  EXPECT_THAT(managers, HasSubstr("bob"));
  // Re-applying identical intent is a no-op: same resourceVersion.
  auto idempotent = client_->Apply(cms_, ns(), theirs, "bob");
  ASSERT_TRUE(idempotent.ok());
  EXPECT_EQ((*idempotent)["metadata"]["resourceVersion"], (*forced)["metadata"]["resourceVersion"]);
}

Json Deployment(const std::string& ns, const std::string& name, int replicas) {
  Json labels = {{"app", name}};
  return {
      {"apiVersion", "apps/v1"},
      {"kind", "Deployment"},
      {"metadata", {{"name", name}, {"namespace", ns}}},
      {"spec",
       {{"replicas", replicas},
        {"selector", {{"matchLabels", labels}}},
        {"template",
         {{"metadata", {{"labels", labels}}},
          {"spec",
           {{"containers", Json::array({{{"name", "c"}, {"image", "kubeheal/pause:dev"}}})}}}}}}}};
}

TEST_F(CrudTest, DeploymentScaleAndStatusSubresources) {
  const auto deps = GroupVersionResource::Deployments();
  auto created = client_->Create(deps, ns(), Deployment(ns(), "web", 1));
  ASSERT_TRUE(created.ok()) << created.error().ToString();
  auto scale = client_->GetScale(deps, ns(), "web");
  ASSERT_TRUE(scale.ok()) << scale.error().ToString();
  EXPECT_EQ((*scale)["kind"], "Scale");
  EXPECT_EQ((*scale)["spec"]["replicas"], 1);
  auto scaled = client_->SetReplicas(deps, ns(), "web", 4);
  ASSERT_TRUE(scaled.ok()) << scaled.error().ToString();
  auto got = client_->Get(deps, ns(), "web");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ((*got)["spec"]["replicas"], 4);

  // No controller-manager runs, so we play it: write status through the subresource.
  Json with_status = *got;
  with_status["status"] = {{"observedGeneration", (*got)["metadata"]["generation"]},
                           {"replicas", 4},
                           {"readyReplicas", 2}};
  with_status["spec"]["replicas"] = 9;  // ignored by the status subresource
  auto st = client_->UpdateStatus(deps, ns(), with_status);
  ASSERT_TRUE(st.ok()) << st.error().ToString();
  auto after = client_->Get(deps, ns(), "web");
  ASSERT_TRUE(after.ok());
  EXPECT_EQ((*after)["status"]["readyReplicas"], 2);
  EXPECT_EQ((*after)["spec"]["replicas"], 4);

  auto missing = client_->GetScale(deps, ns(), "nope");
  ASSERT_FALSE(missing.ok());
  EXPECT_TRUE(IsNotFound(missing.error()));
  EXPECT_EQ(missing.status().subresource, "scale");
}

TEST_F(CrudTest, PodEviction) {
  const auto pods = GroupVersionResource::Pods();
  Json pod = {
      {"apiVersion", "v1"},
      {"kind", "Pod"},
      {"metadata", {{"name", "victim"}, {"namespace", ns()}}},
      {"spec", {{"containers", Json::array({{{"name", "c"}, {"image", "kubeheal/pause:dev"}}})}}}};
  auto created = client_->Create(pods, ns(), pod);
  ASSERT_TRUE(created.ok()) << created.error().ToString();
  auto evicted = client_->Evict(ns(), "victim");
  ASSERT_TRUE(evicted.ok()) << evicted.error().ToString();
  EXPECT_TRUE(Eventually(
      [&] {
        auto g = client_->Get(pods, ns(), "victim");
        return !g.ok() && IsNotFound(g.error());
      },
      std::chrono::seconds(20)));
  auto again = client_->Evict(ns(), "victim");
  ASSERT_FALSE(again.ok());
  EXPECT_TRUE(IsNotFound(again.error()));
}

TEST_F(CrudTest, CustomResourceWithStatusAndScaleSubresources) {
  const std::string group = "t" + std::to_string(::getpid()) + ".kubeheal.test";
  const auto crds = GroupVersionResource::CustomResourceDefinitions();
  Json schema = {
      {"type", "object"},
      {"properties",
       {{"spec",
         {{"type", "object"},
          {"properties", {{"replicas", {{"type", "integer"}}}, {"color", {{"type", "string"}}}}}}},
        {"status",
         {{"type", "object"},
          {"properties",
           {{"replicas", {{"type", "integer"}}}, {"phase", {{"type", "string"}}}}}}}}}};
  Json crd = {
      {"apiVersion", "apiextensions.k8s.io/v1"},
      {"kind", "CustomResourceDefinition"},
      {"metadata", {{"name", "widgets." + group}}},
      {"spec",
       {{"group", group},
        {"scope", "Namespaced"},
        {"names", {{"plural", "widgets"}, {"singular", "widget"}, {"kind", "Widget"}}},
        {"versions", Json::array({{{"name", "v1"},
                                   {"served", true},
                                   {"storage", true},
                                   {"schema", {{"openAPIV3Schema", schema}}},
                                   {"subresources",
                                    {{"status", Json::object()},
                                     {"scale",
                                      {{"specReplicasPath", ".spec.replicas"},
                                       {"statusReplicasPath", ".status.replicas"}}}}}}})}}}};
  auto made = client_->Create(crds, "", crd);
  ASSERT_TRUE(made.ok()) << made.error().ToString();
  struct CleanUp {
    std::shared_ptr<Client> c;
    std::string name;
    ~CleanUp() { (void)c->Delete(GroupVersionResource::CustomResourceDefinitions(), "", name); }
  } cleanup{client_, "widgets." + group};
  ASSERT_TRUE(Eventually(
      [&] {
        auto g = client_->Get(crds, "", "widgets." + group);
        if (!g.ok()) return false;
        for (const auto& c : (*g)["status"].value("conditions", Json::array())) {
          if (c["type"] == "Established" && c["status"] == "True") return true;
        }
        return false;
      },
      std::chrono::seconds(30)));

  const GroupVersionResource widgets{group, "v1", "widgets"};
  Json w = {{"apiVersion", group + "/v1"},
            {"kind", "Widget"},
            {"metadata", {{"name", "w1"}, {"namespace", ns()}}},
            {"spec", {{"replicas", 1}, {"color", "red"}}}};
  // The discovery of a new CRD can lag its Established condition by a moment.
  ApiResult<Json> cr = client_->Create(widgets, ns(), w);
  for (int i = 0; i < 40 && !cr.ok() && IsNotFound(cr.error()); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
    cr = client_->Create(widgets, ns(), w);
  }
  ASSERT_TRUE(cr.ok()) << cr.error().ToString();
  auto patched =
      client_->Patch(widgets, ns(), "w1", PatchType::kMerge, {{"spec", {{"color", "blue"}}}});
  ASSERT_TRUE(patched.ok()) << patched.error().ToString();
  Json st = *patched;
  st["status"] = {{"phase", "Ready"}, {"replicas", 1}};
  auto status = client_->UpdateStatus(widgets, ns(), st);
  ASSERT_TRUE(status.ok()) << status.error().ToString();
  EXPECT_EQ((*status)["status"]["phase"], "Ready");
  auto scaled = client_->SetReplicas(widgets, ns(), "w1", 5);
  ASSERT_TRUE(scaled.ok()) << scaled.error().ToString();
  auto scale = client_->GetScale(widgets, ns(), "w1");
  ASSERT_TRUE(scale.ok());
  EXPECT_EQ((*scale)["spec"]["replicas"], 5);
  EXPECT_EQ((*scale)["status"]["replicas"], 1);
  auto applied = client_->Apply(widgets, ns(),
                                {{"apiVersion", group + "/v1"},
                                 {"kind", "Widget"},
                                 {"metadata", {{"name", "w2"}, {"namespace", ns()}}},
                                 {"spec", {{"color", "green"}}}},
                                "kubeheal-test");
  ASSERT_TRUE(applied.ok()) << applied.error().ToString();
  auto list = client_->ListAll(widgets, ns());
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(list->items.size(), 2u);
  ASSERT_TRUE(client_->Delete(widgets, ns(), "w1").ok());
  auto gone = client_->Get(widgets, ns(), "w1");
  ASSERT_FALSE(gone.ok());
  EXPECT_TRUE(IsNotFound(gone.error()));
}

TEST_F(CrudTest, ForbiddenNamesVerbResourceAndNamespace) {
  std::string path;
  ASSERT_EQ(
      testing::RunCommand("hack/control-plane.sh kubeconfig-for-sa " + ns() + " restricted", &path),
      0)
      << path;
  std::string why;
  auto restricted = testing::ClientFor(path, &why);
  ASSERT_NE(restricted, nullptr) << why;
  auto listed = restricted->List(cms_, ns());
  ASSERT_FALSE(listed.ok());
  EXPECT_TRUE(IsForbidden(listed.error())) << listed.error().ToString();
  EXPECT_FALSE(listed.error().retryable());
  EXPECT_EQ(listed.status().verb, "list");
  EXPECT_EQ(listed.status().resource, "configmaps");
  EXPECT_EQ(listed.status().namespace_, ns());
  EXPECT_THAT(listed.error().message, HasSubstr("list configmaps in namespace \"" + ns() + "\""));
  // The server's own words say the same, naming the service account.
  EXPECT_THAT(listed.status().message, HasSubstr("cannot list resource \"configmaps\""));
  EXPECT_THAT(listed.status().message, HasSubstr("system:serviceaccount:" + ns() + ":restricted"));
  auto scale = restricted->SetReplicas(GroupVersionResource::Deployments(), ns(), "web", 2);
  ASSERT_FALSE(scale.ok());
  EXPECT_TRUE(IsForbidden(scale.error()));
  EXPECT_THAT(scale.error().message,
              HasSubstr("patch deployments.apps/scale \"web\" in namespace \"" + ns() + "\""));
}

}  // namespace
}  // namespace kubeheal::kube
