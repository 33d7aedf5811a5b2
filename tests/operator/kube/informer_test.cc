#include "kubeheal/kube/informer.h"

#include <future>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "kubeheal/common/fake_clock.h"
#include "mock_http_transport.h"

namespace kubeheal::kube {
namespace {

using ::testing::_;
using ::testing::InSequence;
using ::testing::Invoke;
using testing::IsRequest;
using testing::MockHttpTransport;
using testing::Respond;
using ::testing::Return;
using testing::StreamLines;

std::string Cm(const std::string& name, int rv) {
  return R"({"metadata":{"namespace":"a","name":")" + name + R"(","resourceVersion":")" +
         std::to_string(rv) + R"("}})";
}
std::string Ev(const std::string& type, const std::string& name, int rv) {
  return R"({"type":")" + type + R"(","object":)" + Cm(name, rv) + "}";
}

// Drives the reflector through list -> watch -> server close -> resume -> network failure ->
// backoff -> resume -> 410 -> re-list -> watch, and checks the handlers saw each change once.
TEST(InformerTest, FollowsTheStateMachineAndNeverDoublesOrLosesAChange) {
  auto transport = std::make_shared<MockHttpTransport>();
  std::promise<void> reached_end;
  {
    InSequence seq;
    EXPECT_CALL(*transport, Send(IsRequest("GET", "/api/v1/namespaces/a/configmaps?limit=500")))
        .WillOnce(Return(
            Result<HttpResponse>(Respond(200, R"({"metadata":{"resourceVersion":"10"},"items":[)" +
                                                  Cm("a", 1) + "," + Cm("b", 2) + "]}"))));
    EXPECT_CALL(*transport, Stream(IsRequest("GET",
                                             "/api/v1/namespaces/a/"
                                             "configmaps?watch=true&resourceVersion=10&"
                                             "allowWatchBookmarks=true&timeoutSeconds=300"),
                                   _, _))
        .WillOnce(Invoke(
            StreamLines({Ev("ADDED", "c", 11), Ev("MODIFIED", "a", 12), Ev("DELETED", "b", 13)})));
    EXPECT_CALL(*transport, Stream(IsRequest("GET",
                                             "/api/v1/namespaces/a/"
                                             "configmaps?watch=true&resourceVersion=13&"
                                             "allowWatchBookmarks=true&timeoutSeconds=300"),
                                   _, _))
        .WillOnce(Invoke(StreamLines(
            {R"({"type":"BOOKMARK","object":{"metadata":{"resourceVersion":"15"}}})"})));
    EXPECT_CALL(*transport, Stream(IsRequest("GET",
                                             "/api/v1/namespaces/a/"
                                             "configmaps?watch=true&resourceVersion=15&"
                                             "allowWatchBookmarks=true&timeoutSeconds=300"),
                                   _, _))
        .WillOnce(Return(Result<HttpResponse>(Error::Retryable("Transport", "connection reset"))))
        .WillOnce(Invoke(StreamLines(
            {R"({"type":"ERROR","object":{"kind":"Status","code":410,"reason":"Expired","message":"too old"}})"})));
    EXPECT_CALL(*transport, Send(IsRequest("GET", "/api/v1/namespaces/a/configmaps?limit=500")))
        .WillOnce(Return(Result<HttpResponse>(
            Respond(200, R"({"metadata":{"resourceVersion":"20"},"items":[)" + Cm("a", 12) + "," +
                             Cm("c", 11) + "," + Cm("d", 14) + "]}"))));
    EXPECT_CALL(*transport, Stream(IsRequest("GET",
                                             "/api/v1/namespaces/a/"
                                             "configmaps?watch=true&resourceVersion=20&"
                                             "allowWatchBookmarks=true&timeoutSeconds=300"),
                                   _, _))
        .WillOnce(
            Invoke([&](const HttpRequest&, const HttpTransport::LineHandler&, CancelToken& cancel) {
              reached_end.set_value();
              cancel.WaitFor(std::chrono::seconds(10));
              return Result<HttpResponse>(Error::Terminal("Cancelled", "stream cancelled"));
            }));
  }
  auto client = std::make_shared<Client>(transport);
  ReflectorOptions options;
  options.resource = GroupVersionResource::ConfigMaps();
  options.namespace_ = "a";
  options.backoff.initial = std::chrono::milliseconds(1);
  options.backoff.max = std::chrono::milliseconds(5);
  Informer informer(client, options, RealClock());  // millisecond backoffs in real time
  std::vector<std::string> seen;  // written on the informer thread, read after Stop()
  auto name = [](const ObjectPtr& o) {
    return (*o)["metadata"]["name"].get<std::string>() + "@" +
           (*o)["metadata"]["resourceVersion"].get<std::string>();
  };
  informer.AddHandlers(
      {[&](const ObjectPtr& o) { seen.push_back("add " + name(o)); },
       [&](const ObjectPtr&, const ObjectPtr& o) { seen.push_back("update " + name(o)); },
       [&](const ObjectPtr& o) { seen.push_back("delete " + name(o)); }});
  EXPECT_FALSE(informer.HasSynced());
  informer.Start();
  ASSERT_TRUE(informer.WaitForSync(std::chrono::seconds(10)));
  ASSERT_EQ(reached_end.get_future().wait_for(std::chrono::seconds(10)), std::future_status::ready);
  informer.Stop();
  EXPECT_THAT(seen, ::testing::ElementsAre("add a@1", "add b@2", "add c@11", "update a@12",
                                           "delete b@13", "add d@14"));
  EXPECT_EQ(informer.cache().size(), 3u);
  EXPECT_EQ(informer.reflector().lists(), 2);
  EXPECT_EQ(informer.reflector().watch_restarts(), 4);
}

// Every request is refused with 403, so the informer's lists fail and it backs off.
std::shared_ptr<MockHttpTransport> ForbiddingTransport() {
  auto transport = std::make_shared<MockHttpTransport>();
  EXPECT_CALL(*transport, Send(_))
      .WillRepeatedly(Return(Result<HttpResponse>(
          Respond(403, R"({"kind":"Status","reason":"Forbidden","code":403,"message":"nope"})"))));
  return transport;
}

TEST(InformerTest, ListFailureIsRetriedAndStopInterruptsTheBackoff) {
  auto transport = ForbiddingTransport();
  ReflectorOptions options;
  options.resource = GroupVersionResource::Pods();
  options.backoff.initial = std::chrono::milliseconds(1);
  options.backoff.max = std::chrono::seconds(60);
  Informer informer(std::make_shared<Client>(transport), options, RealClock());
  informer.Start();
  EXPECT_FALSE(informer.WaitForSync(std::chrono::milliseconds(300)));
  EXPECT_GE(informer.reflector().lists(), 2);
  EXPECT_NE(informer.reflector().last_error().find("Forbidden"), std::string::npos);
  const auto t0 = std::chrono::steady_clock::now();
  informer.Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(5));
}

TEST(InformerTest, TheListBackoffWaitsOnTheInjectedClock) {
  auto transport = ForbiddingTransport();
  ReflectorOptions options;
  options.resource = GroupVersionResource::Pods();
  options.backoff.initial = std::chrono::seconds(10);
  options.backoff.max = std::chrono::seconds(10);
  auto clock = std::make_shared<FakeClock>();
  Informer informer(std::make_shared<Client>(transport), options, clock);
  informer.Start();
  auto waiting = [&] {
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (clock->waiters() == 0 && std::chrono::steady_clock::now() < give_up) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return clock->waiters() > 0;
  };
  ASSERT_TRUE(waiting());  // the first list failed; backing off on the fake clock
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_EQ(informer.reflector().lists(), 1);  // real time passing does not end the backoff
  clock->Advance(std::chrono::seconds(13));    // 10 s + at most 20% jitter
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (informer.reflector().lists() < 2 && std::chrono::steady_clock::now() < give_up) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  EXPECT_GE(informer.reflector().lists(), 2);
  informer.Stop();
}

}  // namespace
}  // namespace kubeheal::kube
