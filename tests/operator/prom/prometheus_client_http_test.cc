// PrometheusClientImpl against real HTTP servers on loopback that answer what a test needs:
// what goes on the wire (form fields, bearer token) and how transport failures are classified.
#include <atomic>
#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <cpprest/http_listener.h>
#include <gtest/gtest.h>

#include "kubeheal/prom/prometheus_client_impl.h"
#include "loopback.h"

namespace kubeheal::prom {
namespace {

using testing_support::FreeLoopbackPort;
using testing_support::ScriptedServer;
using testing_support::SilentListener;
using utility::conversions::to_string_t;
using utility::conversions::to_utf8string;
namespace http = web::http;

// A loopback HTTP server answering every request with one canned status and body, and keeping
// the last request it saw. Requests are handled on cpprestsdk's threads; `mu_` guards the
// recorded request.
class CannedServer {
 public:
  CannedServer(int status, std::string body) : status_(status), body_(std::move(body)) {
    port_ = FreeLoopbackPort();
    listener_ = std::make_unique<http::experimental::listener::http_listener>(
        to_string_t("http://127.0.0.1:" + std::to_string(port_)));
    listener_->support([this](http::http_request request) {
      // Byte vectors, not strings: cpprestsdk's string body overloads trip UBSan (vptr).
      const std::vector<unsigned char> bytes = request.extract_vector().get();
      const std::string body(bytes.begin(), bytes.end());
      {
        std::lock_guard lock(mu_);
        last_path_ = to_utf8string(request.relative_uri().path());
        last_method_ = to_utf8string(request.method());
        last_body_ = body;
        const auto& h = request.headers();
        const auto it = h.find(to_string_t("Authorization"));
        last_authorization_ = it == h.end() ? "" : to_utf8string(it->second);
      }
      http::http_response response(status_);
      response.set_body(std::vector<unsigned char>(body_.begin(), body_.end()));
      response.headers().set_content_type(to_string_t("application/json"));
      request.reply(response).wait();
    });
    listener_->open().wait();
  }
  ~CannedServer() { listener_->close().wait(); }

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::string last_path() {
    std::lock_guard l(mu_);
    return last_path_;
  }
  std::string last_method() {
    std::lock_guard l(mu_);
    return last_method_;
  }
  std::string last_body() {
    std::lock_guard l(mu_);
    return last_body_;
  }
  std::string last_authorization() {
    std::lock_guard l(mu_);
    return last_authorization_;
  }

 private:
  int status_;
  std::string body_;
  int port_ = 0;
  std::unique_ptr<http::experimental::listener::http_listener> listener_;
  std::mutex mu_;
  std::string last_path_, last_method_, last_body_, last_authorization_;
};

constexpr const char* kVectorBody =
    R"({"status":"success","data":{"resultType":"vector","result":[{"metric":{"job":"a"},"value":[1700000000,"7"]}]}})";

std::unique_ptr<PrometheusClientImpl> MakeClient(PrometheusClientOptions options) {
  auto client = PrometheusClientImpl::Create(std::move(options));
  EXPECT_TRUE(client.ok()) << client.error().ToString();
  return std::move(client).value();
}

TEST(PrometheusClientHttpTest, InstantQueryPostsFormAndSendsBearerToken) {
  CannedServer server(200, kVectorBody);
  auto client = MakeClient({.url = server.url(), .bearer_token = "s3cret"});
  InstantQuery q{.expr = "rate(http_requests_total{job=\"a b\"}[1m])",
                 .time = Clock::TimePoint(std::chrono::milliseconds(1700000000250)),
                 .timeout = std::chrono::milliseconds(2500)};
  const auto r = client->Query(q);
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  EXPECT_DOUBLE_EQ(r->series.at(0).samples.at(0).value, 7.0);
  EXPECT_EQ(server.last_method(), "POST");
  EXPECT_EQ(server.last_path(), "/api/v1/query");
  EXPECT_EQ(server.last_authorization(), "Bearer s3cret");
  const std::string body = server.last_body();
  EXPECT_NE(body.find("query=rate%28http_requests_total%7Bjob%3D%22a%20b%22%7D%5B1m%5D%29"),
            std::string::npos)
      << body;
  EXPECT_NE(body.find("time=1700000000.250"), std::string::npos) << body;
  EXPECT_NE(body.find("timeout=2.500"), std::string::npos) << body;
}

TEST(PrometheusClientHttpTest, RangeQueryUnderAPathPrefixWithoutToken) {
  CannedServer server(200, R"({"status":"success","data":{"resultType":"matrix","result":[]}})");
  auto client = MakeClient({.url = server.url() + "/thanos"});
  RangeQuery q{.expr = "up",
               .start = Clock::TimePoint(std::chrono::seconds(100)),
               .end = Clock::TimePoint(std::chrono::seconds(160)),
               .step = std::chrono::seconds(15)};
  const auto r = client->QueryRange(q);
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  EXPECT_EQ(r->type, ResultType::kMatrix);
  EXPECT_EQ(server.last_path(), "/thanos/api/v1/query_range");
  EXPECT_EQ(server.last_authorization(), "");
  EXPECT_NE(server.last_body().find("start=100.000&end=160.000&step=15.000"), std::string::npos)
      << server.last_body();
}

TEST(PrometheusClientHttpTest, HttpErrorFromAProxyIsRetryable) {
  CannedServer server(502, "<html>bad gateway</html>");
  auto client = MakeClient({.url = server.url()});
  const auto r = client->Query({.expr = "up"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "HttpError");
  EXPECT_EQ(r.error().http_status, 502);
  EXPECT_TRUE(r.error().retryable());
}

TEST(PrometheusClientHttpTest, UnauthorizedIsTerminal) {
  CannedServer server(401, "Unauthorized");
  auto client = MakeClient({.url = server.url(), .bearer_token = "wrong"});
  const auto r = client->Query({.expr = "up"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "Unauthorized");
  EXPECT_FALSE(r.error().retryable());
}

TEST(PrometheusClientHttpTest, ServerThatNeverAnswersTimesOut) {
  SilentListener silent;
  auto client = MakeClient({.url = "http://127.0.0.1:" + std::to_string(silent.port()),
                            .request_timeout = std::chrono::milliseconds(500)});
  const auto start = std::chrono::steady_clock::now();
  const auto r = client->Query({.expr = "up"});
  const auto took = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "Timeout") << r.error().ToString();
  EXPECT_TRUE(r.error().retryable());
  EXPECT_LT(took, std::chrono::seconds(5));
}

TEST(PrometheusClientHttpTest, ConnectionRefusedIsRetryableUnavailable) {
  const int port = FreeLoopbackPort();  // nothing listens there
  auto client = MakeClient({.url = "http://127.0.0.1:" + std::to_string(port)});
  const auto r = client->Query({.expr = "up"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "Unavailable") << r.error().ToString();
  EXPECT_TRUE(r.error().retryable());
  EXPECT_NE(r.error().message.find("cannot connect"), std::string::npos) << r.error().message;
}

// --- Servers that misbehave: every call still ends by its deadline or at the size cap. ---

using SteadyClock = std::chrono::steady_clock;
using namespace std::chrono_literals;

// One answer per connection (the server closes it after responding), so the client must not
// keep it for the next request.
std::string Headers(const std::string& extra) {
  return "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n" + extra +
         "\r\n";
}

TEST(PrometheusClientHttpTest, ATrickledAnswerEndsAtTheWholeCallDeadline) {
  // A byte every 50 ms: cpprestsdk's own timeout restarts on each chunk and never fires.
  ScriptedServer server([](ScriptedServer::Connection& c) {
    if (!c.Send(Headers("Content-Length: 100000\r\n"))) return;
    for (int i = 0; i < 200 && c.Send(" "); ++i) std::this_thread::sleep_for(50ms);
  });
  auto client = MakeClient({.url = server.url(), .request_timeout = 1s});
  const auto start = SteadyClock::now();
  const auto r = client->Query({.expr = "up"});
  const auto took = SteadyClock::now() - start;
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "Timeout") << r.error().ToString();
  EXPECT_TRUE(r.error().retryable());
  EXPECT_NE(r.error().message.find("not complete"), std::string::npos) << r.error().message;
  EXPECT_GE(took, 900ms);
  EXPECT_LT(took, 2500ms) << "the trickle held the call past its 1 s deadline";
}

TEST(PrometheusClientHttpTest, AQueryTimeoutShortensTheDeadline) {
  ScriptedServer server([](ScriptedServer::Connection& c) {
    while (!c.stopping()) std::this_thread::sleep_for(20ms);  // never answers
  });
  auto client = MakeClient({.url = server.url(), .request_timeout = 30s});
  const auto start = SteadyClock::now();
  const auto r = client->Query({.expr = "up", .timeout = 500ms});  // server-side 0.5 s, +1 s
  const auto took = SteadyClock::now() - start;
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "Timeout") << r.error().ToString();
  EXPECT_GE(took, 1400ms);
  EXPECT_LT(took, 3s);
}

TEST(PrometheusClientHttpTest, AFloodIsCutAtTheSizeCapAndTheConnectionClosed) {
  // No Content-Length: the body goes on until the server closes; 64 MiB of it if let.
  ScriptedServer server([](ScriptedServer::Connection& c) {
    if (!c.Send(Headers(""))) return;
    const std::string block(64 * 1024, ' ');
    for (int i = 0; i < 1024 && c.Send(block); ++i) {
    }
  });
  auto client =
      MakeClient({.url = server.url(), .request_timeout = 20s, .max_response_bytes = 1u << 20});
  const auto start = SteadyClock::now();
  const auto r = client->Query({.expr = "up"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "ResponseTooLarge") << r.error().ToString();
  EXPECT_FALSE(r.error().retryable());
  EXPECT_NE(r.error().message.find("over the limit of 1048576 bytes"), std::string::npos)
      << r.error().message;
  EXPECT_LT(SteadyClock::now() - start, 10s);
  // The client closed the connection: the server could not send its 64 MiB.
  for (int i = 0; i < 100 && server.sent_per_connection().empty(); ++i)
    std::this_thread::sleep_for(50ms);
  ASSERT_EQ(server.sent_per_connection().size(), 1u) << "the flood still goes on";
  EXPECT_LT(server.sent_per_connection()[0], 32u << 20);
}

TEST(PrometheusClientHttpTest, AContentLengthOverTheCapIsRefusedBeforeReading) {
  ScriptedServer server([](ScriptedServer::Connection& c) {
    if (!c.Send(Headers("Content-Length: 104857600\r\n"))) return;
    while (!c.stopping() && c.Send(std::string(1024, ' '))) std::this_thread::sleep_for(10ms);
  });
  auto client =
      MakeClient({.url = server.url(), .request_timeout = 20s, .max_response_bytes = 1u << 20});
  const auto start = SteadyClock::now();
  const auto r = client->Query({.expr = "up"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "ResponseTooLarge") << r.error().ToString();
  EXPECT_NE(r.error().message.find("104857600 bytes (Content-Length)"), std::string::npos)
      << r.error().message;
  EXPECT_LT(SteadyClock::now() - start, 2s);
}

TEST(PrometheusClientHttpTest, ConcurrentQueriesAreBoundedAndAWaitForASlotEndsAtTheDeadline) {
  ScriptedServer server([](ScriptedServer::Connection& c) {
    std::this_thread::sleep_for(300ms);
    c.Send(Headers("Content-Length: " + std::to_string(std::string(kVectorBody).size()) + "\r\n") +
           kVectorBody);
  });
  auto client =
      MakeClient({.url = server.url(), .request_timeout = 10s, .max_concurrent_queries = 2});
  std::vector<std::thread> callers;
  std::atomic<int> ok{0};
  for (int i = 0; i < 6; ++i) {
    callers.emplace_back([&] {
      if (client->Query({.expr = "up"}).ok()) ++ok;
    });
  }
  for (auto& t : callers) t.join();
  EXPECT_EQ(ok, 6);
  EXPECT_EQ(server.most_active(), 2) << "more queries in flight than the 2 allowed";

  // One slot, held by a query the server answers after 2 s: the next caller gives up at its
  // own deadline instead of waiting behind it.
  ScriptedServer slow([](ScriptedServer::Connection& c) {
    for (int i = 0; i < 100 && !c.stopping(); ++i) std::this_thread::sleep_for(20ms);
  });
  auto one = MakeClient({.url = slow.url(), .request_timeout = 3s, .max_concurrent_queries = 1});
  std::thread holder([&] { (void)one->Query({.expr = "up"}); });
  std::this_thread::sleep_for(200ms);
  const auto start = SteadyClock::now();
  const auto r = one->Query({.expr = "up", .timeout = 100ms});  // deadline 1.1 s
  EXPECT_LT(SteadyClock::now() - start, 2s);
  holder.join();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "Timeout");
  EXPECT_NE(r.error().message.find("no free query slot"), std::string::npos) << r.error().message;
}

TEST(PrometheusClientHttpTest, CreateRejectsBadOptions) {
  EXPECT_EQ(PrometheusClientImpl::Create({.url = ""}).error().code, "InvalidArgument");
  EXPECT_EQ(PrometheusClientImpl::Create({.url = "ftp://x"}).error().code, "InvalidArgument");
  EXPECT_EQ(PrometheusClientImpl::Create({.url = "http://x", .max_response_bytes = 0}).error().code,
            "InvalidArgument");
  EXPECT_EQ(
      PrometheusClientImpl::Create({.url = "http://x", .max_concurrent_queries = 0}).error().code,
      "InvalidArgument");
  const auto no_ca =
      PrometheusClientImpl::Create({.url = "https://x", .ca_file = "/nonexistent/ca.pem"});
  ASSERT_FALSE(no_ca.ok());
  EXPECT_NE(no_ca.error().message.find("/nonexistent/ca.pem"), std::string::npos);
}

TEST(PrometheusClientHttpTest, QueryRejectsEmptyExpressionAndBadRange) {
  auto client = MakeClient({.url = "http://127.0.0.1:1"});
  EXPECT_EQ(client->Query({.expr = ""}).error().code, "InvalidArgument");
  RangeQuery backwards{.expr = "up",
                       .start = Clock::TimePoint(std::chrono::seconds(200)),
                       .end = Clock::TimePoint(std::chrono::seconds(100))};
  EXPECT_EQ(client->QueryRange(backwards).error().code, "InvalidArgument");
}

}  // namespace
}  // namespace kubeheal::prom
