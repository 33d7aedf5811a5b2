#include "kubeheal/kube/event_recorder.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "kubeheal/common/fake_clock.h"
#include "mock_http_transport.h"

namespace kubeheal::kube {
namespace {

using ::testing::_;
using ::testing::AllOf;
using ::testing::Field;
using ::testing::HasSubstr;
using ::testing::InSequence;
using testing::IsRequest;
using testing::MockHttpTransport;
using testing::Respond;
using ::testing::Return;

const Json kDeployment = {{"apiVersion", "apps/v1"},
                          {"kind", "Deployment"},
                          {"metadata", {{"name", "web"}, {"namespace", "shop"}, {"uid", "u-1"}}}};

TEST(EventRecorderTest, RepeatsBumpCountInsteadOfCreatingEvents) {
  auto transport = std::make_shared<MockHttpTransport>();
  auto clock = std::make_shared<FakeClock>();
  std::string created_name;
  {
    InSequence seq;
    EXPECT_CALL(*transport, Send(AllOf(IsRequest("POST", "/api/v1/namespaces/shop/events"),
                                       Field(&HttpRequest::body, HasSubstr(R"("count":1)")),
                                       Field(&HttpRequest::body, HasSubstr(R"("uid":"u-1")")))))
        .WillOnce([&](const HttpRequest& r) {
          created_name = Json::parse(r.body)["metadata"]["name"];
          return Result<HttpResponse>(Respond(201, r.body));
        });
    EXPECT_CALL(*transport, Send(AllOf(Field(&HttpRequest::method, "PATCH"),
                                       Field(&HttpRequest::body, HasSubstr(R"("count":2)")))))
        .WillOnce(Return(Result<HttpResponse>(Respond(200, R"({"count":2})"))));
    EXPECT_CALL(*transport, Send(AllOf(Field(&HttpRequest::method, "PATCH"),
                                       Field(&HttpRequest::body, HasSubstr(R"("count":3)")))))
        .WillOnce(Return(Result<HttpResponse>(
            Respond(404, R"({"kind":"Status","reason":"NotFound","code":404})"))));
    // The Event expired server-side: a fresh one starts at count 1.
    EXPECT_CALL(*transport, Send(AllOf(Field(&HttpRequest::method, "POST"),
                                       Field(&HttpRequest::body, HasSubstr(R"("count":1)")))))
        .WillOnce(Return(Result<HttpResponse>(Respond(201, "{}"))));
    // A different reason is a different Event.
    EXPECT_CALL(*transport,
                Send(AllOf(Field(&HttpRequest::method, "POST"),
                           Field(&HttpRequest::body, HasSubstr(R"("reason":"Scaled")")))))
        .WillOnce(Return(Result<HttpResponse>(Respond(201, "{}"))));
  }
  EventRecorder recorder(std::make_shared<Client>(transport), clock, "kubeheal-operator");
  EXPECT_TRUE(recorder.Record(kDeployment, "Warning", "AnomalyDetected", "p99 latency high").ok());
  EXPECT_THAT(created_name, HasSubstr("web."));
  clock->Advance(std::chrono::seconds(5));
  EXPECT_TRUE(recorder.Record(kDeployment, "Warning", "AnomalyDetected", "p99 latency high").ok());
  EXPECT_TRUE(recorder.Record(kDeployment, "Warning", "AnomalyDetected", "p99 latency high").ok());
  EXPECT_TRUE(recorder.Record(kDeployment, "Normal", "Scaled", "replicas 2 -> 3").ok());
}

TEST(EventRecorderTest, FailuresComeBackAsValues) {
  auto transport = std::make_shared<MockHttpTransport>();
  EXPECT_CALL(*transport, Send(_))
      .WillOnce(Return(Result<HttpResponse>(Respond(
          403,
          R"({"kind":"Status","reason":"Forbidden","code":403,"message":"events is forbidden"})"))));
  EventRecorder recorder(std::make_shared<Client>(transport), std::make_shared<FakeClock>(), "op");
  auto r = recorder.Record(kDeployment, "Normal", "X", "y");
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(IsForbidden(r.error()));
  EXPECT_THAT(r.error().message, HasSubstr("create events"));
}

}  // namespace
}  // namespace kubeheal::kube
