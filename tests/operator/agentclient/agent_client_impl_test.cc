// AgentClientImpl against a small HTTP server on loopback that records what it receives and
// answers like agent/API.md says the agent does.
#include "kubeheal/agentclient/agent_client_impl.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <mutex>

#include <cpprest/http_listener.h>
#include <gtest/gtest.h>

namespace kubeheal::agentclient {
namespace {

using utility::conversions::to_string_t;
using utility::conversions::to_utf8string;

int FreeLoopbackPort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

struct Seen {
  std::string method, path, auth;
  nlohmann::json body;
};

class FakeAgent {
 public:
  FakeAgent() : port_(FreeLoopbackPort()) {
    listener_ = std::make_unique<web::http::experimental::listener::http_listener>(
        to_string_t("http://127.0.0.1:" + std::to_string(port_)));
    listener_->support([this](web::http::http_request req) { Handle(req); });
    listener_->open().wait();
  }
  ~FakeAgent() { listener_->close().wait(); }

  int port() const { return port_; }
  std::vector<Seen> seen() {
    std::lock_guard lock(mu_);
    return seen_;
  }

 private:
  void Handle(web::http::http_request req) {
    Seen s;
    s.method = to_utf8string(req.method());
    s.path = to_utf8string(req.request_uri().to_string());
    if (req.headers().has(to_string_t("Authorization"))) {
      s.auth = to_utf8string(req.headers()[to_string_t("Authorization")]);
    }
    const auto text = req.extract_utf8string(true).get();
    s.body = text.empty() ? nlohmann::json() : nlohmann::json::parse(text, nullptr, false);
    {
      std::lock_guard lock(mu_);
      seen_.push_back(s);
    }
    auto reply = [&](int status, const nlohmann::json& j) {
      req.reply(status, j.dump(), "application/json").wait();
    };
    if (s.auth != "Bearer sekret") {
      return reply(401, {{"error", "unauthorized"}, {"message", "wrong token"}});
    }
    if (s.path == "/v1/faults" && s.method == "POST") {
      if (s.body.contains("params") && s.body["params"].contains("bogus")) {
        return reply(
            400,
            {{"error", "invalid_field"}, {"field", "params.bogus"}, {"message", "unknown field"}});
      }
      auto fault = s.body;
      fault["expiresAt"] = "2026-11-22T08:35:00.000Z";
      return reply(201, fault);
    }
    if (s.path == "/v1/faults/gone" && s.method == "DELETE") {
      return reply(404, {{"error", "not_found"}, {"message", "unknown fault"}});
    }
    if (s.path == "/v1/state") return reply(200, {{"faults", nlohmann::json::array()}});
    if (s.path == "/v1/circuit" && s.body.value("mode", "") == "boom") {
      return reply(503, {{"error", "x"}, {"message", "busy"}});
    }
    reply(200, {{"ok", true}});
  }

  int port_;
  std::unique_ptr<web::http::experimental::listener::http_listener> listener_;
  std::mutex mu_;
  std::vector<Seen> seen_;
};

class AgentClientImplTest : public ::testing::Test {
 protected:
  FakeAgent agent_;
  AgentClientImpl client_{std::chrono::seconds(2)};
  AgentEndpoint endpoint_{"127.0.0.1", agent_.port(), "sekret"};
};

TEST_F(AgentClientImplTest, PushesFaultWithTokenAndTtl) {
  AgentFault f;
  f.id = "fs-shop-slow-0";
  f.type = "latency";
  f.percent = 80;
  f.params = {{"delayMs", 300}, {"jitterMs", 50}};
  f.ttl_seconds = 30;
  auto r = client_.PushFault(endpoint_, f);
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  EXPECT_EQ((*r)["expiresAt"], "2026-11-22T08:35:00.000Z");
  auto seen = agent_.seen();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].method, "POST");
  EXPECT_EQ(seen[0].path, "/v1/faults");
  EXPECT_EQ(seen[0].auth, "Bearer sekret");
  EXPECT_EQ(seen[0].body, nlohmann::json::parse(R"({"id":"fs-shop-slow-0","type":"latency",
      "percent":80,"params":{"delayMs":300,"jitterMs":50},"ttlSeconds":30})"));
}

TEST_F(AgentClientImplTest, ThrottleCircuitAndClearsUseTheDocumentedPaths) {
  ASSERT_TRUE(client_.SetThrottle(endpoint_, {20, 40, 600.0}).ok());
  ASSERT_TRUE(client_.ClearThrottle(endpoint_).ok());
  ASSERT_TRUE(client_.SetCircuit(endpoint_, {"open", 30.0, std::nullopt, std::nullopt}).ok());
  ASSERT_TRUE(client_.ClearFault(endpoint_, "gone").ok());  // 404 means already gone
  ASSERT_TRUE(client_.GetState(endpoint_).ok());
  auto seen = agent_.seen();
  ASSERT_EQ(seen.size(), 5u);
  EXPECT_EQ(seen[0].method + " " + seen[0].path, "PUT /v1/throttle");
  EXPECT_EQ(seen[0].body, nlohmann::json::parse(R"({"rps":20.0,"burst":40,"ttlSeconds":600.0})"));
  EXPECT_EQ(seen[1].method + " " + seen[1].path, "DELETE /v1/throttle");
  EXPECT_EQ(seen[2].method + " " + seen[2].path, "PUT /v1/circuit");
  EXPECT_EQ(seen[2].body, nlohmann::json::parse(R"({"mode":"open","ttlSeconds":30.0})"));
  EXPECT_EQ(seen[3].method + " " + seen[3].path, "DELETE /v1/faults/gone");
  EXPECT_EQ(seen[4].method + " " + seen[4].path, "GET /v1/state");
}

TEST_F(AgentClientImplTest, MapsAgentErrorsToRetryableOrTerminal) {
  AgentEndpoint wrong = endpoint_;
  wrong.token = "nope";
  auto unauthorized = client_.GetState(wrong);
  ASSERT_FALSE(unauthorized.ok());
  EXPECT_EQ(unauthorized.error().code, "Unauthorized");
  EXPECT_FALSE(unauthorized.error().retryable());

  AgentFault bad;
  bad.type = "latency";
  bad.params = {{"bogus", 1}};
  auto invalid = client_.PushFault(endpoint_, bad);
  ASSERT_FALSE(invalid.ok());
  EXPECT_EQ(invalid.error().code, "InvalidRequest");
  EXPECT_NE(invalid.error().message.find("params.bogus"), std::string::npos);

  auto busy = client_.SetCircuit(endpoint_, {"boom", std::nullopt, std::nullopt, std::nullopt});
  ASSERT_FALSE(busy.ok());
  EXPECT_TRUE(busy.error().retryable());
}

TEST(AgentClientImplUnreachableTest, ClosedPortIsRetryable) {
  AgentClientImpl client(std::chrono::seconds(2));
  auto r = client.GetState({"127.0.0.1", FreeLoopbackPort(), "t"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "AgentUnreachable");
  EXPECT_TRUE(r.error().retryable());
  EXPECT_NE(r.error().message.find("127.0.0.1"), std::string::npos);
}

}  // namespace
}  // namespace kubeheal::agentclient
