// PrometheusClientImpl against a real Prometheus (Debian package) that scrapes a real metrics
// endpoint served from this test process (prometheus-cpp's Exposer on loopback). Every test
// starts its own server with temporary storage, so tests are independent; each stays well
// under a minute (scrape_interval 1s).
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <functional>
#include <limits>
#include <memory>
#include <thread>

#include <gtest/gtest.h>
#include <prometheus/exposer.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include "kubeheal/prom/prometheus_client_impl.h"
#include "prometheus_process.h"

namespace kubeheal::prom {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using testing_support::PrometheusProcess;

// Serves kubeheal_test_value{case=...} with an ordinary value and the three special ones.
class TestExposer {
 public:
  TestExposer() : registry_(std::make_shared<prometheus::Registry>()) {
    auto& family = prometheus::BuildGauge()
                       .Name("kubeheal_test_value")
                       .Help("values the integration test checks through Prometheus")
                       .Register(*registry_);
    family.Add({{"case", "answer"}}).Set(42);
    family.Add({{"case", "nan"}}).Set(std::numeric_limits<double>::quiet_NaN());
    family.Add({{"case", "inf"}}).Set(std::numeric_limits<double>::infinity());
    family.Add({{"case", "neginf"}}).Set(-std::numeric_limits<double>::infinity());
    exposer_ = std::make_unique<prometheus::Exposer>("127.0.0.1:0");
    exposer_->RegisterCollectable(registry_);
  }
  std::string target() const {
    return "127.0.0.1:" + std::to_string(exposer_->GetListeningPorts().at(0));
  }

 private:
  std::shared_ptr<prometheus::Registry> registry_;
  std::unique_ptr<prometheus::Exposer> exposer_;
};

// Polls `ready` every 200 ms until it holds or `limit` passes.
bool WaitFor(const std::function<bool()>& ready, std::chrono::seconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (ready()) return true;
    std::this_thread::sleep_for(milliseconds(200));
  }
  return ready();
}

class PrometheusIntegrationTest : public testing::Test {
 protected:
  // Starts Prometheus scraping the exposer and waits until `min_scrapes` scrapes are stored.
  void StartAndWaitForSamples(int min_scrapes, PrometheusClientOptions extra = {},
                              PrometheusProcess::Options process_options = {}) {
    process_options.targets = {exposer_.target()};
    server_ = std::make_unique<PrometheusProcess>(process_options);
    ASSERT_TRUE(server_->started()) << server_->error();
    extra.url = server_->url();
    extra.request_timeout = seconds(5);
    auto client = PrometheusClientImpl::Create(extra);
    ASSERT_TRUE(client.ok()) << client.error().ToString();
    client_ = std::move(client).value();
    const std::string count = "count_over_time(kubeheal_test_value{case=\"answer\"}[1m])";
    const bool ready = WaitFor(
        [&] {
          auto r = client_->Query({.expr = count});
          return r.ok() && !r->series.empty() && r->series[0].samples.at(0).value >= min_scrapes;
        },
        seconds(30));
    ASSERT_TRUE(ready) << "no samples from the exposer after 30s; prometheus log:\n"
                       << server_->LogTail();
  }

  TestExposer exposer_;
  std::unique_ptr<PrometheusProcess> server_;
  std::unique_ptr<PrometheusClientImpl> client_;
};

TEST_F(PrometheusIntegrationTest, InstantVectorCarriesLabelsAndSpecialValues) {
  StartAndWaitForSamples(1);
  const auto r = client_->Query({.expr = "kubeheal_test_value", .timeout = seconds(2)});
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  ASSERT_EQ(r->type, ResultType::kVector);
  ASSERT_EQ(r->series.size(), 4u);
  std::map<std::string, double> by_case;
  for (const auto& s : r->series) {
    EXPECT_EQ(s.labels.at("__name__"), "kubeheal_test_value");
    EXPECT_EQ(s.labels.at("job"), "kubeheal-test");
    EXPECT_EQ(s.labels.at("instance"), exposer_.target());
    ASSERT_EQ(s.samples.size(), 1u);
    by_case[s.labels.at("case")] = s.samples[0].value;
  }
  EXPECT_DOUBLE_EQ(by_case.at("answer"), 42.0);
  EXPECT_TRUE(std::isnan(by_case.at("nan")));
  EXPECT_EQ(by_case.at("inf"), std::numeric_limits<double>::infinity());
  EXPECT_EQ(by_case.at("neginf"), -std::numeric_limits<double>::infinity());
}

TEST_F(PrometheusIntegrationTest, RangeQueryReturnsAMatrixStepBySteps) {
  StartAndWaitForSamples(4);
  const auto now = std::chrono::time_point_cast<Clock::Duration>(std::chrono::system_clock::now());
  const auto r = client_->QueryRange({.expr = "kubeheal_test_value{case=\"answer\"} * 2",
                                      .start = now - seconds(3),
                                      .end = now,
                                      .step = seconds(1)});
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  ASSERT_EQ(r->type, ResultType::kMatrix);
  ASSERT_EQ(r->series.size(), 1u);
  const auto& samples = r->series[0].samples;
  ASSERT_EQ(samples.size(), 4u);
  for (size_t i = 0; i < samples.size(); ++i) {
    EXPECT_DOUBLE_EQ(samples[i].value, 84.0);
    if (i > 0) {
      EXPECT_EQ(samples[i].time - samples[i - 1].time, seconds(1));
    }
  }
  EXPECT_EQ(samples.back().time, std::chrono::time_point_cast<milliseconds>(now));
}

TEST_F(PrometheusIntegrationTest, ScalarAndStringResults) {
  StartAndWaitForSamples(1);
  const auto at = Clock::TimePoint(seconds(1'700'000'000));
  const auto scalar = client_->Query({.expr = "scalar(kubeheal_test_value{case=\"answer\"}) / 4"});
  ASSERT_TRUE(scalar.ok()) << scalar.error().ToString();
  EXPECT_EQ(scalar->type, ResultType::kScalar);
  EXPECT_DOUBLE_EQ(scalar->scalar.value, 10.5);

  const auto time = client_->Query({.expr = "time()", .time = at});
  ASSERT_TRUE(time.ok()) << time.error().ToString();
  EXPECT_DOUBLE_EQ(time->scalar.value, 1'700'000'000.0);
  EXPECT_EQ(time->scalar.time, at);

  const auto text = client_->Query({.expr = "\"kubeheal\""});
  ASSERT_TRUE(text.ok()) << text.error().ToString();
  EXPECT_EQ(text->type, ResultType::kString);
  EXPECT_EQ(text->string_value, "kubeheal");
}

TEST_F(PrometheusIntegrationTest, BadPromQLIsATerminalBadDataErrorNamingTheProblem) {
  StartAndWaitForSamples(1);
  const auto r = client_->Query({.expr = "sum(rate(kubeheal_test_value[1m])"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "BadData");
  EXPECT_FALSE(r.error().retryable());
  EXPECT_TRUE(IsQueryError(r.error()));  // the policy's condition says QueriesValid=False
  EXPECT_EQ(r.error().http_status, 400);
  EXPECT_NE(r.error().message.find("parse error"), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("sum(rate(kubeheal_test_value[1m])"), std::string::npos);

  const auto range = client_->QueryRange({.expr = "up",
                                          .start = Clock::TimePoint(seconds(1000)),
                                          .end = Clock::TimePoint(seconds(1'000'000)),
                                          .step = milliseconds(1)});
  ASSERT_FALSE(range.ok());
  EXPECT_EQ(range.error().code, "BadData");  // exceeds the 11000-points limit
  EXPECT_NE(range.error().message.find("resolution"), std::string::npos) << range.error().message;
}

TEST_F(PrometheusIntegrationTest, AnAnswerOverTheSizeCapIsRefused) {
  // 2001 points of vector(time()) are ~50 KiB of JSON; the cap is 16 KiB. A small query passes.
  StartAndWaitForSamples(1, {.max_response_bytes = 16 * 1024});
  const auto now = std::chrono::time_point_cast<Clock::Duration>(std::chrono::system_clock::now());
  const auto big = client_->QueryRange(
      {.expr = "vector(time())", .start = now - seconds(2000), .end = now, .step = seconds(1)});
  ASSERT_FALSE(big.ok());
  EXPECT_EQ(big.error().code, "ResponseTooLarge") << big.error().ToString();
  EXPECT_NE(big.error().message.find("over the limit of 16384 bytes"), std::string::npos)
      << big.error().message;
  const auto small = client_->Query({.expr = "kubeheal_test_value{case=\"answer\"}"});
  ASSERT_TRUE(small.ok()) << small.error().ToString();
  EXPECT_DOUBLE_EQ(small->series.at(0).samples.at(0).value, 42.0);
}

TEST_F(PrometheusIntegrationTest, ConnectionRefusedOnceTheServerIsStopped) {
  StartAndWaitForSamples(1);
  ASSERT_TRUE(client_->Query({.expr = "up"}).ok());
  server_->Stop();
  const auto r = client_->Query({.expr = "up"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "Unavailable") << r.error().ToString();
  EXPECT_TRUE(r.error().retryable());
}

TEST_F(PrometheusIntegrationTest, HttpsWithACustomCa) {
  testing_support::TempDir certs;
  const std::string cert = certs.path() + "/cert.pem";
  const std::string key = certs.path() + "/key.pem";
  const std::string openssl =
      "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 "
      "-addext subjectAltName=IP:127.0.0.1 -keyout " +
      key + " -out " + cert + " 2>/dev/null";
  ASSERT_EQ(std::system(openssl.c_str()), 0) << "openssl could not make a test certificate";
  StartAndWaitForSamples(1, {.ca_file = cert}, {.tls_cert_file = cert, .tls_key_file = key});
  ASSERT_EQ(server_->url().rfind("https://", 0), 0u);
  const auto ok = client_->Query({.expr = "kubeheal_test_value{case=\"answer\"}"});
  ASSERT_TRUE(ok.ok()) << ok.error().ToString();
  EXPECT_DOUBLE_EQ(ok->series.at(0).samples.at(0).value, 42.0);

  // Without the CA the server's self-signed certificate is not trusted.
  auto untrusting = PrometheusClientImpl::Create({.url = server_->url()});
  ASSERT_TRUE(untrusting.ok());
  const auto refused = (*untrusting)->Query({.expr = "up"});
  ASSERT_FALSE(refused.ok());
  EXPECT_FALSE(refused.error().retryable()) << refused.error().ToString();
}

}  // namespace
}  // namespace kubeheal::prom
