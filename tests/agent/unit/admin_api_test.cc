#include "kubeheal/agent/admin_api.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "kubeheal/common/fake_clock.h"

namespace kubeheal::agent {
namespace {

using namespace std::chrono_literals;

class AcceptOneToken final : public TokenVerifier {
 public:
  Verdict verify(std::string_view authorization) override {
    if (authorization == "Bearer right") return {true, ""};
    return {false, "invalid token"};
  }
};

class NoProcess final : public ProcessStatsReader {
 public:
  ProcessStats read() const override { return {}; }
};

class AdminApiTest : public ::testing::Test {
 protected:
  AdminApiTest()
      : faults_(time_),
        circuit_(time_, CircuitConfig{}),
        throttle_(time_),
        metrics_(1),
        exporter_(metrics_, faults_, circuit_, throttle_, process_),
        api_(faults_, circuit_, throttle_, exporter_, tokens_, time_, info_) {
    info_.version = "test";
    info_.ready = true;
  }

  AdminResponse call(const std::string& method, const std::string& target,
                     const std::string& body = "", const std::string& auth = "Bearer right") {
    return api_.handle(AdminRequest{method, target, auth, body});
  }
  static nlohmann::json json(const AdminResponse& response) {
    return nlohmann::json::parse(response.body);
  }

  FakeClock time_;
  FaultRegistry faults_;
  CircuitBreaker circuit_;
  Throttle throttle_;
  AgentMetrics metrics_;
  NoProcess process_;
  MetricsExporter exporter_;
  AcceptOneToken tokens_;
  AgentInfo info_;
  AdminApi api_;
};

TEST_F(AdminApiTest, ProbesAndMetricsNeedNoToken) {
  EXPECT_EQ(call("GET", "/healthz", "", "").status, 200);
  EXPECT_EQ(call("GET", "/readyz", "", "").status, 200);
  info_.draining = true;
  EXPECT_EQ(call("GET", "/readyz", "", "").status, 503);
  const auto metrics = call("GET", "/metrics", "", "");
  EXPECT_EQ(metrics.status, 200);
  EXPECT_NE(metrics.body.find("# TYPE http_requests_total counter"), std::string::npos);
}

TEST_F(AdminApiTest, V1RefusesWithoutTheToken) {
  for (const std::string auth : {"", "Bearer wrong", "Basic right"}) {
    const auto response = call("GET", "/v1/state", "", auth);
    EXPECT_EQ(response.status, 401) << auth;
    EXPECT_EQ(json(response)["error"], "unauthorized");
    ASSERT_FALSE(response.headers.empty());
    EXPECT_EQ(response.headers[0].first, "WWW-Authenticate");
  }
  EXPECT_EQ(call("POST", "/v1/faults", R"({"type":"abort","ttlSeconds":5})", "").status, 401);
  EXPECT_TRUE(faults_.list().empty());
}

TEST_F(AdminApiTest, PostListAndClearFaults) {
  auto created =
      call("POST", "/v1/faults",
           R"({"id":"x","type":"httpError","percent":30,"params":{"status":503},"ttlSeconds":60})");
  EXPECT_EQ(created.status, 201);
  auto fault = json(created);
  EXPECT_EQ(fault["id"], "x");
  EXPECT_EQ(fault["params"]["status"], 503);
  EXPECT_DOUBLE_EQ(fault["remainingSeconds"].get<double>(), 60.0);
  EXPECT_EQ(call("POST", "/v1/faults",
                 R"({"id":"x","type":"httpError","params":{"status":500},"ttlSeconds":60})")
                .status,
            200);
  time_.Advance(10s);
  auto listed = json(call("GET", "/v1/faults"));
  ASSERT_EQ(listed["faults"].size(), 1u);
  EXPECT_DOUBLE_EQ(listed["faults"][0]["remainingSeconds"].get<double>(), 50.0);
  EXPECT_EQ(call("DELETE", "/v1/faults/x").status, 200);
  EXPECT_EQ(call("DELETE", "/v1/faults/x").status, 404);
  call("POST", "/v1/faults", R"({"type":"abort","ttlSeconds":60})");
  call("POST", "/v1/faults", R"({"type":"hang","ttlSeconds":60})");
  EXPECT_EQ(json(call("DELETE", "/v1/faults"))["cleared"], 2);
}

TEST_F(AdminApiTest, BadBodiesGet400NamingTheField) {
  auto response =
      call("POST", "/v1/faults", R"({"type":"latency","params":{"delayMs":-1},"ttlSeconds":5})");
  EXPECT_EQ(response.status, 400);
  EXPECT_EQ(json(response)["error"], "invalid_field");
  EXPECT_EQ(json(response)["field"], "params.delayMs");
  response = call("POST", "/v1/faults", "not json");
  EXPECT_EQ(response.status, 400);
  EXPECT_EQ(json(response)["error"], "invalid_json");
  response = call("PUT", "/v1/circuit", R"({"mode":"open","openSeconds":3})");
  EXPECT_EQ(json(response)["field"], "openSeconds");
  response = call("PUT", "/v1/circuit", R"({"mode":"sideways"})");
  EXPECT_EQ(json(response)["field"], "mode");
  response = call("PUT", "/v1/throttle", R"({"rps":0})");
  EXPECT_EQ(json(response)["field"], "rps");
  response = call("PUT", "/v1/throttle", R"({"rps":5,"bucket":3})");
  EXPECT_EQ(json(response)["field"], "bucket");
}

TEST_F(AdminApiTest, MethodsAndPaths) {
  auto response = call("PATCH", "/v1/faults");
  EXPECT_EQ(response.status, 405);
  EXPECT_EQ(response.headers[0].first, "Allow");
  EXPECT_EQ(call("GET", "/v1/nothing").status, 404);
  EXPECT_EQ(call("GET", "/nothing").status, 404);
  EXPECT_EQ(call("POST", "/v1/faults", std::string(AdminApi::kMaxBodyBytes + 1, ' ')).status, 413);
}

TEST_F(AdminApiTest, CircuitAndThrottleRoundTrip) {
  auto circuit =
      json(call("PUT", "/v1/circuit",
                R"({"mode":"auto","consecutive5xx":3,"openSeconds":10,"halfOpenProbes":2})"));
  EXPECT_EQ(circuit["mode"], "auto");
  EXPECT_EQ(circuit["state"], "closed");
  EXPECT_EQ(circuit["consecutive5xx"], 3);
  EXPECT_EQ(circuit["errorRatio"], 0.5);
  circuit = json(call("PUT", "/v1/circuit", R"({"mode":"open","ttlSeconds":60})"));
  EXPECT_EQ(circuit["state"], "open");
  EXPECT_TRUE(circuit["expiresAt"].is_string());
  EXPECT_FALSE(circuit_.admit().allowed);

  auto throttle = json(call("PUT", "/v1/throttle", R"({"rps":2.5})"));
  EXPECT_EQ(throttle["enabled"], true);
  EXPECT_EQ(throttle["burst"], 3);
  throttle = json(call("DELETE", "/v1/throttle"));
  EXPECT_EQ(throttle["enabled"], false);
  EXPECT_TRUE(throttle["rps"].is_null());

  auto state = json(call("GET", "/v1/state"));
  EXPECT_EQ(state["version"], "test");
  EXPECT_EQ(state["circuit"]["mode"], "open");
  EXPECT_TRUE(state["faults"].is_array());
}

}  // namespace
}  // namespace kubeheal::agent
