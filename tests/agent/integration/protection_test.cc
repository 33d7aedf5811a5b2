// Circuit breaker, throttle, admin API and metrics as clients and Prometheus see them.
#include <cstdio>
#include <filesystem>

#include "agent_fixture.h"

namespace kubeheal::agent::testing {
namespace {

using namespace std::chrono_literals;

TEST_F(AgentIntegrationTest, ForcedOpenCircuitGives503WithRetryAfter) {
  startAgent();
  auto circuit = adminJson("PUT", "/v1/circuit", R"({"mode":"open","ttlSeconds":30})");
  EXPECT_EQ(circuit["state"], "open");
  HttpClient client(agent_->port());
  const HttpResult refused = client.get("/");
  EXPECT_EQ(refused.status, 503);
  EXPECT_EQ(refused.body, "kubeheal-agent: circuit open\n");
  const int retryAfter = std::stoi(refused.headers.at("retry-after"));
  EXPECT_GE(retryAfter, 29);
  EXPECT_LE(retryAfter, 30);
  EXPECT_EQ(upstream_->requestsServed(), 0u);
  adminJson("PUT", "/v1/circuit", R"({"mode":"closed"})");
  EXPECT_EQ(client.get("/").status, 200);
  EXPECT_EQ(metricSettled("kubeheal_agent_circuit_rejected_total", 1), 1);
}

TEST_F(AgentIntegrationTest, AutoCircuitTripsOnUpstream5xxAndRecoversThroughHalfOpen) {
  startAgent();
  adminJson(
      "PUT", "/v1/circuit",
      R"({"mode":"auto","consecutive5xx":3,"errorRatio":0,"openSeconds":1,"halfOpenProbes":1})");
  HttpClient client(agent_->port());
  for (int i = 0; i < 3; ++i) EXPECT_EQ(client.get("/status/500").status, 500);
  const HttpResult refused = client.get("/status/200");
  EXPECT_EQ(refused.status, 503);
  EXPECT_EQ(refused.headers.at("retry-after"), "1");
  EXPECT_EQ(metricSettled(R"(kubeheal_agent_circuit_state{state="open"})", 1), 1);
  EXPECT_EQ(adminJson("GET", "/v1/circuit")["state"], "open");
  std::this_thread::sleep_for(1100ms);
  EXPECT_EQ(adminJson("GET", "/v1/circuit")["state"], "halfOpen");
  EXPECT_EQ(client.get("/status/200").status, 200);  // the probe
  // The agent records the probe's outcome right after writing the response; the admin call
  // comes over another connection, so give it a moment.
  std::string state;
  for (int i = 0; i < 50 && state != "closed"; ++i) {
    state = adminJson("GET", "/v1/circuit")["state"];
    if (state != "closed") std::this_thread::sleep_for(20ms);
  }
  EXPECT_EQ(state, "closed");
  EXPECT_EQ(client.get("/").status, 200);
  EXPECT_EQ(adminJson("GET", "/v1/circuit")["stats"]["trips"], 1);
}

TEST_F(AgentIntegrationTest, ThrottleGives429WithRetryAfterBeyondTheBurst) {
  startAgent();
  auto throttle = adminJson("PUT", "/v1/throttle", R"({"rps":1,"burst":5})");
  EXPECT_EQ(throttle["enabled"], true);
  HttpClient client(agent_->port());
  int ok = 0;
  int throttled = 0;
  for (int i = 0; i < 20; ++i) {
    const HttpResult result = client.get("/");
    if (result.status == 200) ++ok;
    if (result.status == 429) {
      ++throttled;
      EXPECT_EQ(result.headers.at("retry-after"), "1");
    }
  }
  // The burst, plus at most one refill if the loop straddled a second boundary.
  EXPECT_GE(ok, 5);
  EXPECT_LE(ok, 6);
  EXPECT_EQ(ok + throttled, 20);
  EXPECT_EQ(metricSettled("kubeheal_agent_throttled_requests_total", throttled), throttled);
  adminJson("DELETE", "/v1/throttle");
  EXPECT_EQ(client.get("/").status, 200);
}

TEST_F(AgentIntegrationTest, AdminApiRefusesWithoutTheToken) {
  startAgent();
  for (const std::string token : {"", "wrong"}) {
    const HttpResult result =
        admin("POST", "/v1/faults", R"({"type":"abort","ttlSeconds":60})", token);
    EXPECT_EQ(result.status, 401) << token;
    EXPECT_EQ(result.headers.at("www-authenticate"), "Bearer");
  }
  EXPECT_EQ(HttpClient(agent_->port()).get("/").status, 200);  // no fault was set
  EXPECT_EQ(admin("GET", "/v1/state").status, 200);
  EXPECT_EQ(admin("GET", "/healthz", "", "").status, 200);
  EXPECT_EQ(admin("GET", "/readyz", "", "").status, 200);
}

TEST_F(AgentIntegrationTest, AdminApiNamesTheBadField) {
  startAgent();
  HttpResult result =
      admin("POST", "/v1/faults",
            R"({"type":"latency","params":{"delayMs":5,"color":1},"ttlSeconds":9})");
  EXPECT_EQ(result.status, 400);
  auto body = nlohmann::json::parse(result.body);
  EXPECT_EQ(body["error"], "invalid_field");
  EXPECT_EQ(body["field"], "params.color");
  result = admin("PUT", "/v1/throttle", "{");
  EXPECT_EQ(result.status, 400);
  EXPECT_EQ(nlohmann::json::parse(result.body)["error"], "invalid_json");
}

TEST_F(AgentIntegrationTest, RotatedTokenFileTakesEffect) {
  startAgent();
  std::this_thread::sleep_for(20ms);  // a different mtime
  std::ofstream(tokenFile_) << "rotated\n";
  EXPECT_EQ(admin("GET", "/v1/state").status, 401);
  EXPECT_EQ(admin("GET", "/v1/state", "", "rotated").status, 200);
}

TEST_F(AgentIntegrationTest, MetricsPassPromtoolCheck) {
  const char* candidates[] = {"/usr/bin/promtool", "/usr/local/bin/promtool"};
  std::string promtool;
  for (const char* path : candidates) {
    if (std::filesystem::exists(path)) promtool = path;
  }
  if (promtool.empty()) GTEST_SKIP() << "promtool not installed (Debian package prometheus)";
  startAgent();
  HttpClient client(agent_->port());
  adminJson("POST", "/v1/faults",
            R"({"type":"httpError","percent":50,"params":{"status":500},"ttlSeconds":60})");
  for (int i = 0; i < 50; ++i) client.get("/");
  const std::string text = metricsText();
  for (const char* name :
       {"http_requests_total", "http_request_duration_seconds_bucket", "http_requests_in_flight",
        "kubeheal_agent_upstream_errors_total", "kubeheal_agent_faults_injected_total",
        "kubeheal_agent_faults_active", "kubeheal_agent_circuit_state",
        "kubeheal_agent_throttled_requests_total", "process_resident_memory_bytes",
        "process_cpu_seconds_total"}) {
    EXPECT_NE(text.find(std::string("\n") + name), std::string::npos) << name;
  }
  const std::string file = dir_ + "/metrics.txt";
  std::ofstream(file) << text;
  const std::string command = promtool + " check metrics < " + file + " 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string output;
  char buffer[512];
  while (fgets(buffer, sizeof(buffer), pipe)) output += buffer;
  const int status = pclose(pipe);
  std::remove(file.c_str());
  EXPECT_EQ(status, 0) << output;
  EXPECT_EQ(output, "") << output;
}

}  // namespace
}  // namespace kubeheal::agent::testing
