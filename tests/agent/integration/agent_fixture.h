#pragma once

#include <stdlib.h>
#include <unistd.h>

#include <fstream>
#include <memory>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "agent_process.h"
#include "http_client.h"
#include "test_upstream.h"

namespace kubeheal::agent::testing {

// Starts a real upstream and the real agent binary in front of it, on loopback ports the kernel
// picks. Tests talk HTTP to both ports; everything is torn down after each test.
class AgentIntegrationTest : public ::testing::Test {
 protected:
  static constexpr const char* kToken = "s3cret-token-for-tests";

  void SetUp() override {
    char dir[] = "/tmp/kubeheal-agent-test-XXXXXX";
    ASSERT_NE(mkdtemp(dir), nullptr);
    dir_ = dir;
    tokenFile_ = dir_ + "/token";
    std::ofstream(tokenFile_) << kToken << "\n";
    upstream_ = std::make_unique<TestUpstream>();
  }

  void TearDown() override {
    agent_.reset();
    upstream_.reset();
    std::remove(tokenFile_.c_str());
    rmdir(dir_.c_str());
  }

  AgentProcess& startAgent(std::vector<std::string> extraArgs = {}) {
    agent_.reset();
    agent_ = std::make_unique<AgentProcess>(upstream_->port(), tokenFile_, std::move(extraArgs));
    return *agent_;
  }

  HttpResult admin(const std::string& method, const std::string& path, const std::string& body = "",
                   const std::string& token = kToken) {
    HttpClient client(agent_->adminPort());
    std::map<std::string, std::string> headers;
    if (!token.empty()) headers["Authorization"] = "Bearer " + token;
    if (!body.empty()) headers["Content-Type"] = "application/json";
    return client.request(method, path, body, headers);
  }

  nlohmann::json adminJson(const std::string& method, const std::string& path,
                           const std::string& body = "") {
    const HttpResult result = admin(method, path, body);
    EXPECT_TRUE(result.ok) << result.error;
    EXPECT_LT(result.status, 300) << path << ": " << result.body;
    return nlohmann::json::parse(result.body, nullptr, false);
  }

  std::string metricsText() { return admin("GET", "/metrics", "", "").body; }

  // The value of one sample in the agent's /metrics, e.g.
  // `http_requests_total{code="200",method="GET"}`.
  double metric(const std::string& sample) {
    const std::string text = metricsText();
    const auto at = text.find("\n" + sample + " ");
    if (at == std::string::npos) return 0;
    return std::stod(text.substr(at + sample.size() + 2));
  }

  // metric() once it equals `expected`, polling up to 2 s: the agent counts a request just
  // after writing its response, so a scrape right after the response may be a hair early.
  double metricSettled(const std::string& sample, double expected) {
    double value = metric(sample);
    for (int i = 0; i < 100 && value != expected; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      value = metric(sample);
    }
    return value;
  }

  std::string dir_;
  std::string tokenFile_;
  std::unique_ptr<TestUpstream> upstream_;
  std::unique_ptr<AgentProcess> agent_;
};

}  // namespace kubeheal::agent::testing
