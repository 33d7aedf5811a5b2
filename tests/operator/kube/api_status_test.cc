#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "kubeheal/kube/api_result.h"
#include "kubeheal/kube/client.h"
#include "mock_http_transport.h"

namespace kubeheal::kube {
namespace {

using ::testing::_;
using ::testing::HasSubstr;
using testing::MockHttpTransport;
using testing::Respond;
using ::testing::Return;

ApiStatus Req(std::string verb, std::string resource, std::string ns, std::string name = "") {
  ApiStatus s;
  s.verb = std::move(verb);
  s.resource = std::move(resource);
  s.namespace_ = std::move(ns);
  s.name = std::move(name);
  return s;
}

TEST(ApiStatusTest, NotFoundIsTerminalAndNamesTheObject) {
  const std::string body = R"({"kind":"Status","apiVersion":"v1","status":"Failure",
    "message":"configmaps \"x\" not found","reason":"NotFound",
    "details":{"name":"x","kind":"configmaps"},"code":404})";
  ApiStatus s = ParseApiStatus(404, body, "", Req("get", "configmaps", "ns1", "x"));
  EXPECT_EQ(s.reason, "NotFound");
  EXPECT_EQ(s.details_name, "x");
  Error e = ToError(s);
  EXPECT_FALSE(e.retryable());
  EXPECT_TRUE(IsNotFound(e));
  EXPECT_EQ(e.code, "NotFound");
  EXPECT_THAT(e.message, HasSubstr("get configmaps \"x\" in namespace \"ns1\""));
}

TEST(ApiStatusTest, ConflictIsRetryableButAlreadyExistsIsTerminal) {
  Error conflict = ToError(ParseApiStatus(
      409,
      R"({"kind":"Status","reason":"Conflict","message":"the object has been modified","code":409})",
      "", Req("update", "deployments.apps", "a", "d")));
  EXPECT_TRUE(conflict.retryable());
  EXPECT_TRUE(IsConflict(conflict));
  Error exists = ToError(ParseApiStatus(
      409, R"({"kind":"Status","reason":"AlreadyExists","message":"already exists","code":409})",
      "", Req("create", "configmaps", "a", "c")));
  EXPECT_FALSE(exists.retryable());
  EXPECT_TRUE(IsAlreadyExists(exists));
  EXPECT_FALSE(IsConflict(exists));
}

TEST(ApiStatusTest, GoneIsRetryableSoTheCallerReLists) {
  Error e = ToError(ParseApiStatus(
      410,
      R"J({"kind":"Status","reason":"Expired","message":"too old resource version: 1 (42)","code":410})J",
      "", Req("watch", "configmaps", "")));
  EXPECT_TRUE(IsGone(e));
  EXPECT_TRUE(e.retryable());
  EXPECT_EQ(e.code, "Expired");
  EXPECT_THAT(e.message, HasSubstr("(cluster scope)"));
}

TEST(ApiStatusTest, InvalidCarriesEveryFieldCause) {
  const std::string body = R"({"kind":"Status","reason":"Invalid","code":422,
    "message":"ConfigMap \"Bad_Name\" is invalid",
    "details":{"name":"Bad_Name","kind":"ConfigMap","causes":[
      {"reason":"FieldValueInvalid","message":"Invalid value: \"Bad_Name\"","field":"metadata.name"},
      {"reason":"FieldValueRequired","message":"Required value","field":"data"}]}})";
  ApiStatus s = ParseApiStatus(422, body, "", Req("create", "configmaps", "a", "Bad_Name"));
  ASSERT_EQ(s.causes.size(), 2u);
  EXPECT_EQ(s.causes[0].field, "metadata.name");
  EXPECT_EQ(s.causes[1].reason, "FieldValueRequired");
  Error e = ToError(s);
  EXPECT_FALSE(e.retryable());
  EXPECT_TRUE(IsInvalid(e));
  EXPECT_THAT(e.message, HasSubstr("metadata.name: Invalid value"));
  EXPECT_THAT(e.message, HasSubstr("data: Required value"));
}

TEST(ApiStatusTest, TooManyRequestsTakesRetryAfterFromHeaderOrDetails) {
  ApiStatus from_header = ParseApiStatus(429, "Too many requests", "7", Req("list", "pods", "a"));
  ASSERT_TRUE(from_header.retry_after.has_value());
  EXPECT_EQ(from_header.retry_after->count(), 7);
  EXPECT_EQ(from_header.reason, "TooManyRequests");
  EXPECT_TRUE(ToError(from_header).retryable());
  ApiStatus from_details = ParseApiStatus(
      429,
      R"({"kind":"Status","reason":"TooManyRequests","code":429,"message":"Cannot evict pod as it would violate the pod's disruption budget.","details":{"causes":[{"reason":"DisruptionBudget","message":"The disruption budget web needs 2 healthy pods"}],"retryAfterSeconds":3}})",
      "", Req("evict", "pods", "a", "web-1"));
  ASSERT_TRUE(from_details.retry_after.has_value());
  EXPECT_EQ(from_details.retry_after->count(), 3);
  EXPECT_THAT(ToError(from_details).message, HasSubstr("retry after 3s"));
}

TEST(ApiStatusTest, ForbiddenNamesVerbResourceAndNamespace) {
  const std::string body = R"({"kind":"Status","reason":"Forbidden","code":403,
    "message":"configmaps is forbidden: User \"system:serviceaccount:a:sa\" cannot list resource \"configmaps\" in API group \"\" in the namespace \"b\"",
    "details":{"kind":"configmaps"}})";
  ApiStatus s = ParseApiStatus(403, body, "", Req("list", "configmaps", "b"));
  Error e = ToError(s);
  EXPECT_TRUE(IsForbidden(e));
  EXPECT_FALSE(e.retryable());
  EXPECT_EQ(e.http_status, 403);
  EXPECT_THAT(e.message, HasSubstr("list configmaps in namespace \"b\""));
}

TEST(ApiStatusTest, NonStatusBodiesAndServerErrors) {
  ApiStatus s = ParseApiStatus(502, "<html>bad gateway</html>", "", Req("get", "pods", "a", "p"));
  EXPECT_EQ(s.reason, "InternalError");
  EXPECT_EQ(s.message, "<html>bad gateway</html>");
  EXPECT_TRUE(ToError(s).retryable());
  ApiStatus timeout = ParseApiStatus(504, "", "", Req("get", "pods", "a", "p"));
  EXPECT_EQ(timeout.reason, "Timeout");
  EXPECT_TRUE(ToError(timeout).retryable());
  ApiStatus unauthorized = ParseApiStatus(401, "{}", "", Req("get", "pods", "a", "p"));
  EXPECT_EQ(unauthorized.reason, "Unauthorized");
  EXPECT_FALSE(ToError(unauthorized).retryable());
}

TEST(ApiStatusTest, ClientTurnsTransportFailureIntoRetryableError) {
  auto transport = std::make_shared<MockHttpTransport>();
  EXPECT_CALL(*transport, Send(_))
      .WillOnce(Return(Result<HttpResponse>(Error::Retryable("Transport", "connection refused"))));
  Client client(transport);
  ApiResult<Json> r = client.Get(GroupVersionResource::Deployments(), "a", "web");
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.error().retryable());
  EXPECT_EQ(r.status().code, 0);
  EXPECT_EQ(r.status().resource, "deployments.apps");
  EXPECT_THAT(r.error().message, HasSubstr("connection refused"));
}

TEST(ApiStatusTest, ClientCarriesStatusOfAFailedRequest) {
  auto transport = std::make_shared<MockHttpTransport>();
  EXPECT_CALL(*transport, Send(_))
      .WillOnce(Return(Result<HttpResponse>(Respond(
          429, R"({"kind":"Status","reason":"TooManyRequests","code":429,"message":"slow down"})",
          {{"retry-after", "2"}}))));
  Client client(transport);
  ApiResult<Json> r = client.Get(GroupVersionResource::Pods(), "a", "p");
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(IsTooManyRequests(r.error()));
  EXPECT_EQ(r.status().retry_after->count(), 2);
  Result<Json> plain = std::move(r).ToResult();
  EXPECT_FALSE(plain.ok());
  EXPECT_EQ(plain.error().http_status, 429);
}

}  // namespace
}  // namespace kubeheal::kube
