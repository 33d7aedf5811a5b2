#include "kubeheal/kube/client.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "mock_http_transport.h"

namespace kubeheal::kube {
namespace {

using ::testing::_;
using ::testing::AllOf;
using ::testing::Field;
using ::testing::Invoke;
using testing::IsRequest;
using testing::MockHttpTransport;
using testing::Respond;
using ::testing::Return;
using testing::StreamLines;

class ClientTest : public ::testing::Test {
 protected:
  std::shared_ptr<MockHttpTransport> transport_ = std::make_shared<MockHttpTransport>();
  Client client_{transport_};
};

TEST(GroupVersionResourceTest, BuildsCoreGroupAndClusterPaths) {
  EXPECT_EQ(GroupVersionResource::ConfigMaps().Path("a", "b"), "/api/v1/namespaces/a/configmaps/b");
  EXPECT_EQ(GroupVersionResource::Deployments().Path("a", "web", "scale"),
            "/apis/apps/v1/namespaces/a/deployments/web/scale");
  EXPECT_EQ(GroupVersionResource::Namespaces().Path("ignored", "n"), "/api/v1/namespaces/n");
  EXPECT_EQ(GroupVersionResource::Pods().Path(""), "/api/v1/pods");
  GroupVersionResource crd{"kubeheal.io", "v1alpha1", "healingpolicies"};
  EXPECT_EQ(crd.Path("x"), "/apis/kubeheal.io/v1alpha1/namespaces/x/healingpolicies");
  EXPECT_EQ(crd.QualifiedName(), "healingpolicies.kubeheal.io");
}

TEST_F(ClientTest, ListAllFollowsContinueAndKeepsTheLastResourceVersion) {
  EXPECT_CALL(
      *transport_,
      Send(IsRequest(
          "GET", "/api/v1/namespaces/a/configmaps?labelSelector=app%3Dweb%2Ctier%21%3Ddb&limit=2")))
      .WillOnce(Return(Result<HttpResponse>(Respond(
          200,
          R"({"metadata":{"resourceVersion":"10","continue":"tok 1"},"items":[{"n":1},{"n":2}]})"))));
  EXPECT_CALL(
      *transport_,
      Send(IsRequest("GET",
                     "/api/v1/namespaces/a/"
                     "configmaps?labelSelector=app%3Dweb%2Ctier%21%3Ddb&limit=2&continue=tok%201")))
      .WillOnce(Return(Result<HttpResponse>(
          Respond(200, R"({"metadata":{"resourceVersion":"10"},"items":[{"n":3}]})"))));
  ListOptions o;
  o.label_selector = "app=web,tier!=db";
  o.limit = 2;
  ApiResult<ListPage> all = client_.ListAll(GroupVersionResource::ConfigMaps(), "a", o);
  ASSERT_TRUE(all.ok()) << all.error().ToString();
  EXPECT_EQ(all->items.size(), 3u);
  EXPECT_EQ(all->items[2]["n"], 3);
  EXPECT_EQ(all->resource_version, "10");
  EXPECT_TRUE(all->continue_token.empty());
}

TEST_F(ClientTest, ExpiredContinueTokenIsGone) {
  EXPECT_CALL(*transport_, Send(_))
      .WillOnce(Return(Result<HttpResponse>(
          Respond(200, R"({"metadata":{"resourceVersion":"10","continue":"old"},"items":[]})"))))
      .WillOnce(Return(Result<HttpResponse>(Respond(
          410,
          R"({"kind":"Status","reason":"Expired","message":"The provided continue parameter is too old","code":410})"))));
  ApiResult<ListPage> all = client_.ListAll(GroupVersionResource::Pods(), "a", {});
  ASSERT_FALSE(all.ok());
  EXPECT_TRUE(IsGone(all.error()));
}

TEST_F(ClientTest, VerbsUseTheRightMethodPathAndContentType) {
  using R = Result<HttpResponse>;
  const auto deploy = GroupVersionResource::Deployments();
  EXPECT_CALL(*transport_, Send(AllOf(IsRequest("POST", "/apis/apps/v1/namespaces/a/deployments"),
                                      Field(&HttpRequest::content_type, "application/json"))))
      .WillOnce(Return(R(Respond(201, R"({"metadata":{"name":"web"}})"))));
  EXPECT_CALL(*transport_,
              Send(IsRequest("PUT", "/apis/apps/v1/namespaces/a/deployments/web/status")))
      .WillOnce(Return(R(Respond(200, "{}"))));
  EXPECT_CALL(*transport_,
              Send(AllOf(IsRequest("PATCH", "/apis/apps/v1/namespaces/a/deployments/web/scale"),
                         Field(&HttpRequest::content_type, "application/merge-patch+json"),
                         Field(&HttpRequest::body, R"({"spec":{"replicas":3}})"))))
      .WillOnce(Return(R(Respond(200, R"({"spec":{"replicas":3}})"))));
  EXPECT_CALL(*transport_,
              Send(AllOf(IsRequest("PATCH", "/apis/apps/v1/namespaces/a/deployments/web"),
                         Field(&HttpRequest::content_type, "application/json-patch+json"))))
      .WillOnce(Return(R(Respond(200, "{}"))));
  EXPECT_CALL(
      *transport_,
      Send(AllOf(
          IsRequest("PATCH",
                    "/apis/apps/v1/namespaces/a/deployments/web?fieldManager=kubeheal&force=true"),
          Field(&HttpRequest::content_type, "application/apply-patch+yaml"))))
      .WillOnce(Return(R(Respond(200, "{}"))));
  EXPECT_CALL(*transport_,
              Send(AllOf(IsRequest("DELETE", "/apis/apps/v1/namespaces/a/deployments/web"),
                         Field(&HttpRequest::body,
                               ::testing::HasSubstr(R"("propagationPolicy":"Foreground")")))))
      .WillOnce(Return(R(Respond(200, "{}"))));
  EXPECT_CALL(*transport_,
              Send(AllOf(IsRequest("POST", "/api/v1/namespaces/a/pods/web-1/eviction"),
                         Field(&HttpRequest::body, ::testing::HasSubstr(R"("kind":"Eviction")")))))
      .WillOnce(Return(R(Respond(201, "{}"))));

  Json obj = {{"metadata", {{"name", "web"}}}};
  EXPECT_TRUE(client_.Create(deploy, "a", obj).ok());
  EXPECT_TRUE(client_.UpdateStatus(deploy, "a", obj).ok());
  ApiResult<Json> scaled = client_.SetReplicas(deploy, "a", "web", 3);
  ASSERT_TRUE(scaled.ok());
  EXPECT_EQ((*scaled)["spec"]["replicas"], 3);
  EXPECT_TRUE(
      client_
          .Patch(deploy, "a", "web", PatchType::kJson,
                 Json::array({{{"op", "replace"}, {"path", "/spec/paused"}, {"value", true}}}))
          .ok());
  EXPECT_TRUE(client_.Apply(deploy, "a", obj, "kubeheal", true).ok());
  DeleteOptions del;
  del.propagation_policy = "Foreground";
  EXPECT_TRUE(client_.Delete(deploy, "a", "web", del).ok());
  EXPECT_TRUE(client_.Evict("a", "web-1").ok());
}

TEST_F(ClientTest, NonJsonSuccessBodyIsAnError) {
  EXPECT_CALL(*transport_, Send(_)).WillOnce(Return(Result<HttpResponse>(Respond(200, "<html>"))));
  ApiResult<Json> r = client_.Get(GroupVersionResource::Pods(), "a", "p");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "InvalidResponse");
}

TEST_F(ClientTest, WatchDeliversEventsAndBookmarksThenServerClose) {
  EXPECT_CALL(
      *transport_,
      Stream(
          IsRequest(
              "GET",
              "/api/v1/namespaces/a/"
              "configmaps?watch=true&resourceVersion=5&allowWatchBookmarks=true&timeoutSeconds=30"),
          _, _))
      .WillOnce(Invoke(StreamLines({
          R"({"type":"ADDED","object":{"metadata":{"name":"x","resourceVersion":"6"}}})",
          "",
          R"({"type":"BOOKMARK","object":{"metadata":{"resourceVersion":"9"}}})",
      })));
  WatchOptions o;
  o.resource_version = "5";
  o.timeout_seconds = 30;
  std::vector<std::string> seen;
  CancelToken cancel;
  ApiResult<WatchEnd> end = client_.Watch(
      GroupVersionResource::ConfigMaps(), "a", o,
      [&](const WatchEvent& ev) {
        seen.push_back(ev.type + "@" + ev.object["metadata"]["resourceVersion"].get<std::string>());
        return true;
      },
      cancel);
  ASSERT_TRUE(end.ok()) << end.error().ToString();
  EXPECT_EQ(*end, WatchEnd::kServerClosed);
  EXPECT_THAT(seen, ::testing::ElementsAre("ADDED@6", "BOOKMARK@9"));
}

TEST_F(ClientTest, WatchErrorEventBecomesGone) {
  EXPECT_CALL(*transport_, Stream(_, _, _))
      .WillOnce(Invoke(StreamLines({
          R"J({"type":"ERROR","object":{"kind":"Status","status":"Failure","message":"too old resource version: 1 (99)","reason":"Expired","code":410}})J",
          R"({"type":"ADDED","object":{}})",
      })));
  int events = 0;
  CancelToken cancel;
  ApiResult<WatchEnd> end = client_.Watch(
      GroupVersionResource::ConfigMaps(), "", {}, [&](const WatchEvent&) { return ++events, true; },
      cancel);
  ASSERT_FALSE(end.ok());
  EXPECT_TRUE(IsGone(end.error()));
  EXPECT_EQ(events, 0);
  EXPECT_EQ(end.status().verb, "watch");
}

TEST_F(ClientTest, WatchHttp410AndGarbageLines) {
  EXPECT_CALL(*transport_, Stream(_, _, _))
      .WillOnce(Return(
          Result<HttpResponse>(Respond(410, R"({"kind":"Status","reason":"Gone","code":410})"))))
      .WillOnce(Invoke(StreamLines({"not json"})));
  CancelToken cancel;
  auto handler = [](const WatchEvent&) { return true; };
  ApiResult<WatchEnd> gone = client_.Watch(GroupVersionResource::Pods(), "a", {}, handler, cancel);
  ASSERT_FALSE(gone.ok());
  EXPECT_TRUE(IsGone(gone.error()));
  ApiResult<WatchEnd> garbage =
      client_.Watch(GroupVersionResource::Pods(), "a", {}, handler, cancel);
  ASSERT_FALSE(garbage.ok());
  EXPECT_EQ(garbage.error().code, "InvalidWatchEvent");
}

TEST(EscapeQueryValueTest, EncodesReservedCharacters) {
  EXPECT_EQ(EscapeQueryValue("a=b,c in (d e)"), "a%3Db%2Cc%20in%20%28d%20e%29");
  EXPECT_EQ(EscapeQueryValue("k8s.io/x-y_z~"), "k8s.io%2Fx-y_z~");
}

}  // namespace
}  // namespace kubeheal::kube
