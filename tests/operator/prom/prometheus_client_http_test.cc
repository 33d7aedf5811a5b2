// PrometheusClientImpl against real HTTP servers on loopback that answer what a test needs:
// what goes on the wire (form fields, bearer token) and how transport failures are classified.
#include <cpprest/http_listener.h>
#include <gtest/gtest.h>

#include <chrono>
#include <mutex>
#include <string>
#include <vector>

#include "kubeheal/prom/prometheus_client_impl.h"
#include "loopback.h"

namespace kubeheal::prom {
namespace {

using testing_support::FreeLoopbackPort;
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

TEST(PrometheusClientHttpTest, CreateRejectsBadOptions) {
  EXPECT_EQ(PrometheusClientImpl::Create({.url = ""}).error().code, "InvalidArgument");
  EXPECT_EQ(PrometheusClientImpl::Create({.url = "ftp://x"}).error().code, "InvalidArgument");
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
