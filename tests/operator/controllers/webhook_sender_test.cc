// The alert webhook sender against real HTTP servers on loopback, one test per outcome a
// policy's status can show: delivered; refused before any connection (the server never sees a
// request); retried with backoff on 5xx, then delivered or failed after the last attempt; not
// retried on 4xx; a server that never answers (timeout) and a closed port. The backoff runs on
// a recording sleep, so the test takes no real backoff time.
#include <chrono>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <cpprest/http_listener.h>
#include <gtest/gtest.h>

#include "../prom/loopback.h"
#include "kubeheal/controllers/alert_sender.h"

namespace kubeheal::controllers {
namespace {

using prom::testing_support::FreeLoopbackPort;
using prom::testing_support::SilentListener;
using utility::conversions::to_string_t;
using utility::conversions::to_utf8string;
using web::http::experimental::listener::http_listener;

// Answers with the scripted statuses in turn (the last one repeats) and records each request.
class Receiver {
 public:
  explicit Receiver(std::deque<int> statuses)
      : statuses_(std::move(statuses)), port_(FreeLoopbackPort()) {
    listener_ =
        std::make_unique<http_listener>(to_string_t("http://127.0.0.1:" + std::to_string(port_)));
    listener_->support([this](web::http::http_request req) {
      int status = 200;
      {
        std::lock_guard lock(mu_);
        Seen seen;
        seen.method = to_utf8string(req.method());
        seen.path = to_utf8string(req.request_uri().to_string());
        if (req.headers().has(to_string_t("Host"))) {
          seen.host = to_utf8string(req.headers()[to_string_t("Host")]);
        }
        seen.body = req.extract_utf8string(true).get();
        seen_.push_back(seen);
        if (!statuses_.empty()) {
          status = statuses_.front();
          if (statuses_.size() > 1) statuses_.pop_front();
        }
      }
      req.reply(static_cast<web::http::status_code>(status)).wait();
    });
    listener_->open().wait();
  }
  ~Receiver() { listener_->close().wait(); }
  int port() const { return port_; }

  struct Seen {
    std::string method, path, host, body;
  };
  std::vector<Seen> seen() {
    std::lock_guard lock(mu_);
    return seen_;
  }

 private:
  std::mutex mu_;
  std::deque<int> statuses_;
  std::vector<Seen> seen_;
  int port_;
  std::unique_ptr<http_listener> listener_;
};

// "alerts.test" resolves to loopback, which is allowed by name: a URL by name that the sender
// must connect to by the checked address while the server still sees the name in Host.
WebhookTargetPolicy AllowAlertsTest() {
  WebhookTargetOptions o;
  o.allowed = {"alerts.test", "127.0.0.1/32"};
  auto p = WebhookTargetPolicy::Create(
      o, [](const std::string& host) -> Result<std::vector<std::string>> {
        if (host == "alerts.test") return std::vector<std::string>{"127.0.0.1"};
        return Error::Retryable("WebhookUnresolved", "cannot resolve " + host);
      });
  EXPECT_TRUE(p.ok()) << p.error().message;
  return std::move(*p);
}

class WebhookSenderTest : public ::testing::Test {
 protected:
  WebhookAlertSender Sender(WebhookTargetPolicy targets, WebhookDelivery delivery = {}) {
    return WebhookAlertSender(std::move(targets), delivery,
                              [this](std::chrono::milliseconds d) { sleeps_.push_back(d); });
  }
  const nlohmann::json alerts_ =
      nlohmann::json::array({{{"labels", {{"alertname", "KubehealAnomaly"}}}}});
  std::vector<std::chrono::milliseconds> sleeps_;
};

TEST_F(WebhookSenderTest, DeliversToTheCheckedAddressWithTheNameAsHost) {
  Receiver receiver({200});
  auto sender = Sender(AllowAlertsTest());
  const std::string url =
      "http://alerts.test:" + std::to_string(receiver.port()) + "/api/v2/alerts?x=1";
  Status sent = sender.Send(url, alerts_);
  ASSERT_TRUE(sent.ok()) << sent.error().ToString();
  auto seen = receiver.seen();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].method, "POST");
  EXPECT_EQ(seen[0].path, "/api/v2/alerts?x=1");
  EXPECT_EQ(seen[0].host, "alerts.test:" + std::to_string(receiver.port()));
  EXPECT_EQ(nlohmann::json::parse(seen[0].body), alerts_);
  EXPECT_TRUE(sleeps_.empty());
}

TEST_F(WebhookSenderTest, TheDefaultPolicyRefusesLoopbackBeforeConnecting) {
  Receiver receiver({200});
  auto targets = WebhookTargetPolicy::Create({});
  ASSERT_TRUE(targets.ok());
  auto sender = Sender(std::move(*targets));
  for (const std::string host : {"127.0.0.1", "localhost", "[::ffff:127.0.0.1]"}) {
    Status sent =
        sender.Send("http://" + host + ":" + std::to_string(receiver.port()) + "/hook", alerts_);
    ASSERT_FALSE(sent.ok()) << host;
    EXPECT_EQ(sent.error().code, "WebhookTargetRefused") << host;
    EXPECT_FALSE(sent.error().retryable());
    EXPECT_NE(sent.error().message.find("loopback"), std::string::npos) << sent.error().message;
  }
  EXPECT_TRUE(receiver.seen().empty()) << "a refused target was connected to";
}

TEST_F(WebhookSenderTest, RetriesServerErrorsWithBackoffThenDelivers) {
  Receiver receiver({503, 502, 200});
  auto sender = Sender(AllowAlertsTest());
  Status sent =
      sender.Send("http://127.0.0.1:" + std::to_string(receiver.port()) + "/hook", alerts_);
  ASSERT_TRUE(sent.ok()) << sent.error().ToString();
  EXPECT_EQ(receiver.seen().size(), 3u);
  EXPECT_EQ(sleeps_, (std::vector<std::chrono::milliseconds>{std::chrono::milliseconds(500),
                                                             std::chrono::milliseconds(1000)}));
}

TEST_F(WebhookSenderTest, FailsAfterTheLastAttemptWithABoundedReason) {
  Receiver receiver({503});
  WebhookDelivery delivery;
  delivery.attempts = 4;
  auto sender = Sender(AllowAlertsTest(), delivery);
  Status sent =
      sender.Send("http://127.0.0.1:" + std::to_string(receiver.port()) + "/hook", alerts_);
  ASSERT_FALSE(sent.ok());
  EXPECT_EQ(sent.error().code, "WebhookFailed");
  EXPECT_TRUE(sent.error().retryable());
  EXPECT_EQ(sent.error().message, "answered HTTP 503 (4 attempts)");
  EXPECT_EQ(receiver.seen().size(), 4u);
  EXPECT_EQ(sleeps_.size(), 3u);
  EXPECT_EQ(sleeps_.back(), std::chrono::milliseconds(2000));
}

TEST_F(WebhookSenderTest, ClientErrorsAreNotRetried) {
  for (int status : {400, 401, 404}) {
    Receiver receiver({status});
    sleeps_.clear();
    auto sender = Sender(AllowAlertsTest());
    Status sent =
        sender.Send("http://127.0.0.1:" + std::to_string(receiver.port()) + "/hook", alerts_);
    ASSERT_FALSE(sent.ok()) << status;
    EXPECT_EQ(sent.error().message, "answered HTTP " + std::to_string(status));
    EXPECT_FALSE(sent.error().retryable());
    EXPECT_EQ(receiver.seen().size(), 1u) << status;
    EXPECT_TRUE(sleeps_.empty());
  }
  Receiver limited({429, 200});
  auto sender = Sender(AllowAlertsTest());
  EXPECT_TRUE(
      sender.Send("http://127.0.0.1:" + std::to_string(limited.port()) + "/hook", alerts_).ok());
  EXPECT_EQ(limited.seen().size(), 2u) << "429 is worth another attempt";
}

TEST_F(WebhookSenderTest, AServerThatNeverAnswersTimesOutWithinTheBound) {
  SilentListener silent;
  WebhookDelivery delivery;
  delivery.timeout = std::chrono::milliseconds(300);
  delivery.attempts = 2;
  delivery.max_reason = 60;
  auto sender = Sender(AllowAlertsTest(), delivery);
  const auto start = std::chrono::steady_clock::now();
  Status sent = sender.Send("http://127.0.0.1:" + std::to_string(silent.port()) + "/hook", alerts_);
  const auto took = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(sent.ok());
  EXPECT_EQ(sent.error().code, "WebhookFailed");
  EXPECT_LE(sent.error().message.size(), 60u) << sent.error().message;
  EXPECT_NE(sent.error().message.find("(2 attempts)"), std::string::npos) << sent.error().message;
  EXPECT_LT(took, std::chrono::seconds(5)) << "two 300 ms attempts";
  EXPECT_EQ(sleeps_.size(), 1u);
}

TEST_F(WebhookSenderTest, AClosedPortFails) {
  const int port = FreeLoopbackPort();
  WebhookDelivery delivery;
  delivery.attempts = 2;
  auto sender = Sender(AllowAlertsTest(), delivery);
  Status sent = sender.Send("http://127.0.0.1:" + std::to_string(port) + "/hook", alerts_);
  ASSERT_FALSE(sent.ok());
  EXPECT_EQ(sent.error().code, "WebhookFailed");
  EXPECT_LE(sent.error().message.size(), WebhookDelivery{}.max_reason);
}

TEST_F(WebhookSenderTest, AUrlThatDoesNotParseIsAnErrorNamingWhy) {
  auto sender = Sender(AllowAlertsTest());
  Status sent = sender.Send("http://user:secret@alerts.test/hook", alerts_);
  ASSERT_FALSE(sent.ok());
  EXPECT_EQ(sent.error().code, "InvalidWebhookURL");
  EXPECT_EQ(sent.error().message.find("secret"), std::string::npos) << sent.error().message;
}

}  // namespace
}  // namespace kubeheal::controllers
