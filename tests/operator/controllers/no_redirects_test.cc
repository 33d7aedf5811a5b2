// Every HTTP client of the operator refuses redirects: against two real HTTP servers on
// loopback, one answering 3xx with a Location pointing at the other. The second must never see
// a request (it would receive the caller's Authorization header), and the caller gets an error
// naming the redirect. The baseline shows that cpprestsdk's default client does follow, so the
// servers here would catch a client built without NoRedirectsConfig().
#include "kubeheal/common/no_redirects.h"

#include <memory>
#include <mutex>
#include <string>

#include <cpprest/http_client.h>
#include <cpprest/http_listener.h>
#include <gtest/gtest.h>

#include "../prom/loopback.h"
#include "kubeheal/agentclient/agent_client_impl.h"
#include "kubeheal/controllers/alert_sender.h"
#include "kubeheal/kube/cpprest_transport.h"
#include "kubeheal/prom/prometheus_client_impl.h"

namespace kubeheal {
namespace {

using prom::testing_support::FreeLoopbackPort;
using utility::conversions::to_string_t;
using utility::conversions::to_utf8string;
using web::http::experimental::listener::http_listener;

// Where a redirect would lead: counts what it receives and answers 200 with `body`.
class Target {
 public:
  explicit Target(std::string body) : body_(std::move(body)), port_(FreeLoopbackPort()) {
    listener_ = std::make_unique<http_listener>(to_string_t(url()));
    listener_->support([this](web::http::http_request req) {
      {
        std::lock_guard lock(mu_);
        ++requests_;
        if (req.headers().has(to_string_t("Authorization"))) {
          authorization_ = to_utf8string(req.headers()[to_string_t("Authorization")]);
        }
      }
      req.reply(200, body_, "application/json").wait();
    });
    listener_->open().wait();
  }
  ~Target() { listener_->close().wait(); }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  int requests() {
    std::lock_guard lock(mu_);
    return requests_;
  }
  std::string authorization() {
    std::lock_guard lock(mu_);
    return authorization_;
  }

 private:
  std::string body_;
  int port_;
  std::unique_ptr<http_listener> listener_;
  std::mutex mu_;
  int requests_ = 0;
  std::string authorization_;
};

// Answers every request with `status` and Location: <target><same path>.
class Redirector {
 public:
  Redirector(int status, std::string target) : port_(FreeLoopbackPort()) {
    listener_ = std::make_unique<http_listener>(to_string_t(url()));
    listener_->support([status, target](web::http::http_request req) {
      web::http::http_response response(static_cast<web::http::status_code>(status));
      response.headers().add(to_string_t("Location"),
                             to_string_t(target) + req.request_uri().to_string());
      req.reply(response).wait();
    });
    listener_->open().wait();
  }
  ~Redirector() { listener_->close().wait(); }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  int port() const { return port_; }

 private:
  int port_;
  std::unique_ptr<http_listener> listener_;
};

class NoRedirectsTest : public ::testing::TestWithParam<int> {
 protected:
  void ExpectRefused(const Error& e) {
    EXPECT_EQ(e.code, "RedirectRefused") << e.message;
    EXPECT_NE(e.message.find("HTTP " + std::to_string(GetParam())), std::string::npos) << e.message;
    EXPECT_NE(e.message.find(target_.url()), std::string::npos) << e.message;
    EXPECT_EQ(target_.requests(), 0) << "the redirect was followed";
  }

  Target target_{R"({"status":"success","data":{"resultType":"vector","result":[]}})"};
  Redirector redirector_{GetParam(), target_.url()};
};

// The hazard this guards against: a client with cpprestsdk's defaults follows the redirect and
// hands the Authorization header to the second server.
TEST_P(NoRedirectsTest, BaselineDefaultCpprestClientFollowsAndLeaksTheToken) {
  web::http::client::http_client client(to_string_t(redirector_.url()));
  web::http::http_request request(web::http::methods::GET);
  request.set_request_uri(to_string_t("/v1/state"));
  request.headers().add(to_string_t("Authorization"), to_string_t("Bearer sekret"));
  auto response = client.request(request).get();
  EXPECT_EQ(response.status_code(), 200);
  EXPECT_EQ(target_.requests(), 1);
  EXPECT_EQ(target_.authorization(), "Bearer sekret");
}

TEST_P(NoRedirectsTest, AgentClientRefuses) {
  agentclient::AgentClientImpl agents(std::chrono::seconds(5));
  auto state = agents.GetState({"127.0.0.1", redirector_.port(), "sekret"});
  ASSERT_FALSE(state.ok());
  ExpectRefused(state.error());
  EXPECT_NE(state.error().message.find("GET /v1/state"), std::string::npos);
}

TEST_P(NoRedirectsTest, PrometheusClientRefuses) {
  prom::PrometheusClientOptions options;
  options.url = redirector_.url();
  options.bearer_token = "sekret";
  options.request_timeout = std::chrono::seconds(5);
  auto client = prom::PrometheusClientImpl::Create(options);
  ASSERT_TRUE(client.ok()) << client.error().message;
  auto result = (*client)->Query({"up"});
  ASSERT_FALSE(result.ok());
  ExpectRefused(result.error());
}

TEST_P(NoRedirectsTest, KubernetesTransportRefusesRequestsAndWatches) {
  kube::RestConfig config;
  config.server = redirector_.url();
  config.bearer_token = "sekret";
  config.request_timeout = std::chrono::seconds(5);
  auto transport = kube::CpprestTransport::Create(config);
  ASSERT_TRUE(transport.ok()) << transport.error().message;
  auto sent = (*transport)->Send({"GET", "/api/v1/namespaces/default/pods", "", ""});
  ASSERT_FALSE(sent.ok());
  ExpectRefused(sent.error());
  EXPECT_NE(sent.error().message.find("GET /api/v1/namespaces/default/pods"), std::string::npos);

  kube::CancelToken cancel;
  int lines = 0;
  auto watched = (*transport)
                     ->Stream(
                         {"GET", "/api/v1/pods?watch=true", "", ""},
                         [&lines](std::string_view) { return ++lines > 0; }, cancel);
  ASSERT_FALSE(watched.ok());
  ExpectRefused(watched.error());
  EXPECT_EQ(lines, 0);
}

TEST_P(NoRedirectsTest, AlertWebhookRefuses) {
  // Loopback allowed, so that the redirect is what refuses.
  controllers::WebhookTargetOptions allow_loopback;
  allow_loopback.allowed = {"127.0.0.1/32"};
  auto targets = controllers::WebhookTargetPolicy::Create(allow_loopback);
  ASSERT_TRUE(targets.ok()) << targets.error().message;
  controllers::WebhookAlertSender sender(std::move(*targets));
  Status sent = sender.Send(redirector_.url() + "/hook", nlohmann::json::array());
  ASSERT_FALSE(sent.ok());
  ExpectRefused(sent.error());
}

INSTANTIATE_TEST_SUITE_P(RedirectStatuses, NoRedirectsTest,
                         ::testing::Values(301, 302, 303, 307, 308),
                         [](const auto& info) { return "HTTP" + std::to_string(info.param); });

TEST(RedirectRefusedTest, NotModifiedAndSuccessAreNotRedirects) {
  for (int status : {200, 204, 304, 400, 500}) {
    web::http::http_response response(static_cast<web::http::status_code>(status));
    EXPECT_FALSE(RedirectRefused(response, "GET /x").has_value()) << status;
  }
  web::http::http_response moved(302);
  auto refused = RedirectRefused(moved, "GET /x");
  ASSERT_TRUE(refused.has_value());
  EXPECT_NE(refused->message.find("no Location"), std::string::npos) << refused->message;
  EXPECT_FALSE(refused->retryable());
}

}  // namespace
}  // namespace kubeheal
