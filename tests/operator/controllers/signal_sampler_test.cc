// SignalSampler, the signal step of a HealingPolicy evaluation, on its own: a FakePrometheusClient
// answers, real detectors judge.
#include "kubeheal/controllers/signal_sampler.h"

#include <gtest/gtest.h>

#include "kubeheal/common/fake_clock.h"
#include "kubeheal/prom/fake_prometheus_client.h"

namespace kubeheal::controllers {
namespace {

using namespace std::chrono_literals;
using Json = nlohmann::json;

api::HealingPolicy Policy() {
  auto parsed = api::HealingPolicyFromJson(Json::parse(R"({
    "apiVersion": "kubeheal.io/v1alpha1", "kind": "HealingPolicy",
    "metadata": {"name": "orders", "namespace": "shop", "generation": 3},
    "spec": {"targetRef": {"kind": "Deployment", "name": "orders"}, "interval": "10s",
      "signals": [
        {"name": "p99", "pattern": "latency", "query": "p99{pod=~\"{{pod}}\"}",
         "detector": {"type": "threshold", "params": {"above": 0.5}}, "for": "0s"},
        {"name": "errors", "pattern": "errors", "query": "errors{pod=~\"{{pod}}\"}",
         "detector": {"type": "threshold", "params": {"above": 0.1}}, "for": "0s"}],
      "rules": [{"name": "latency", "when": {"pattern": "latency"}, "actions": ["alert"]}]}})"));
  EXPECT_TRUE(parsed.ok()) << parsed.error().message;
  return *parsed;
}

prom::QueryResult Vector(std::vector<double> values) {
  prom::QueryResult r;
  r.type = prom::ResultType::kVector;
  for (double v : values) r.series.push_back(prom::Series{{}, {prom::Sample{{}, v}}});
  return r;
}

class SignalSamplerTest : public ::testing::Test {
 protected:
  SignalSample Sample(SignalSamplerOptions options = {}) {
    SignalSampler sampler(prometheus_, metrics_, clock_, options);
    return sampler.Sample("shop/orders", policy_, spec_, context_, detectors_, holds_);
  }

  std::shared_ptr<FakeClock> clock_ = std::make_shared<FakeClock>();
  std::shared_ptr<prom::FakePrometheusClient> prometheus_ =
      std::make_shared<prom::FakePrometheusClient>();
  std::shared_ptr<OperatorMetrics> metrics_ =
      std::make_shared<OperatorMetrics>(std::make_shared<prometheus::Registry>());
  api::HealingPolicy policy_ = Policy();
  QueryContext context_{"shop", "orders", "orders-a|orders-b"};
  policy::PolicySpec spec_ = ToPolicySpec(policy_, context_);
  PolicyDetectors detectors_{policy_.spec.signals};
  std::vector<policy::SignalHold> holds_;
};

TEST_F(SignalSamplerTest, EachSignalIsAskedJudgedAndReportedInOrder) {
  prometheus_->SetValue(R"(p99{pod=~"orders-a|orders-b"})", 0.9);
  prometheus_->SetValue(R"(errors{pod=~"orders-a|orders-b"})", 0.01);
  holds_.push_back({"p99", clock_->Now() - 30s});
  const auto sample = Sample();
  EXPECT_EQ(sample.at, clock_->Now());
  ASSERT_EQ(sample.statuses.size(), 2u);
  ASSERT_EQ(sample.observation.signals.size(), 2u);
  EXPECT_EQ(sample.statuses[0].name, "p99");
  EXPECT_EQ(sample.statuses[0].value, 0.9);
  EXPECT_TRUE(sample.statuses[0].anomalous);
  EXPECT_EQ(sample.statuses[0].anomalous_since, FormatRfc3339(clock_->Now() - 30s));
  EXPECT_EQ(sample.observation.signals[0].query, R"(p99{pod=~"orders-a|orders-b"})");
  EXPECT_TRUE(sample.observation.signals[0].anomalous);
  EXPECT_FALSE(sample.statuses[1].anomalous);
  EXPECT_TRUE(sample.statuses[1].anomalous_since.empty());  // no hold, and not anomalous
  EXPECT_EQ(sample.failed_queries + sample.invalid_queries, 0);
}

TEST_F(SignalSamplerTest, TheLargestSeriesIsTheValue) {
  prometheus_->SetResult(R"(p99{pod=~"orders-a|orders-b"})", Vector({0.2, 0.7, 0.4}));
  EXPECT_EQ(Sample().statuses[0].value, 0.7);
}

TEST_F(SignalSamplerTest, APrometheusFailureAndABadQueryAreToldApart) {
  prometheus_->SetResult(R"(p99{pod=~"orders-a|orders-b"})",
                         Error::Retryable("Unavailable", "connection refused"));
  prometheus_->SetResult(R"(errors{pod=~"orders-a|orders-b"})",
                         Error::Terminal("BadData", "1:5: parse error"));
  const auto sample = Sample();
  EXPECT_EQ(sample.failed_queries, 1);
  EXPECT_NE(sample.prometheus_error.find("connection refused"), std::string::npos);
  EXPECT_EQ(sample.invalid_queries, 1);
  EXPECT_EQ(sample.problem_reason, "InvalidQuery");
  EXPECT_EQ(sample.problem_message.rfind("errors: ", 0), 0u) << sample.problem_message;
  EXPECT_FALSE(sample.observation.signals[0].available);
  EXPECT_FALSE(sample.observation.signals[1].available);
  EXPECT_EQ(sample.statuses[0].error.rfind("query failed", 0), 0u);
  EXPECT_EQ(sample.statuses[1].error.rfind("query rejected", 0), 0u);

  std::vector<api::Condition> conditions;
  SetQueryConditions(sample, 2, 3, clock_->Now(), &conditions);
  const auto* available = api::FindCondition(conditions, "PrometheusAvailable");
  ASSERT_NE(available, nullptr);
  EXPECT_EQ(available->status, "False");
  EXPECT_NE(available->message.find("1 of 2 queries failed"), std::string::npos);
  const auto* valid = api::FindCondition(conditions, "QueriesValid");
  ASSERT_NE(valid, nullptr);
  EXPECT_EQ(valid->reason, "InvalidQuery");
  EXPECT_EQ(valid->observed_generation, 3);
}

TEST_F(SignalSamplerTest, QueriesValidStaysAsItWasWhilePrometheusFails) {
  std::vector<api::Condition> conditions;
  api::SetCondition(&conditions, {"QueriesValid", "False", "InvalidQuery", "before", "", 3},
                    clock_->Now());
  prometheus_->FailAll(Error::Retryable("Unavailable", "connection refused"));
  SetQueryConditions(Sample(), 2, 3, clock_->Now(), &conditions);
  EXPECT_EQ(api::FindCondition(conditions, "QueriesValid")->message, "before");
  EXPECT_EQ(api::FindCondition(conditions, "PrometheusAvailable")->status, "False");
}

TEST_F(SignalSamplerTest, TooManySeriesAreNotFedToTheDetector) {
  SignalSamplerOptions options;
  options.max_series_per_signal = 2;
  prometheus_->SetResult(R"(p99{pod=~"orders-a|orders-b"})", Vector({5, 5, 5}));
  const auto sample = Sample(options);
  EXPECT_EQ(sample.problem_reason, "TooManySeries");
  EXPECT_FALSE(sample.observation.signals[0].available);
  EXPECT_FALSE(sample.statuses[0].value.has_value());
  EXPECT_FALSE(detectors_.BaselineHeld("p99"));  // nothing was fed
}

TEST_F(SignalSamplerTest, ANewDetectorIsWarmedOnceFromTheWarmWindow) {
  (void)Sample();
  (void)Sample();
  // Two signals: the first evaluation asks a range query (the warm-up) and an instant query for
  // each, the second only the instant ones; every call within the policy's interval.
  EXPECT_EQ(prometheus_->Calls().size(), 6u) << ::testing::PrintToString(prometheus_->Calls());
  EXPECT_TRUE(detectors_.Warmed("p99"));
  EXPECT_TRUE(detectors_.Warmed("errors"));
  for (const auto& t : prometheus_->Timeouts()) EXPECT_LE(t, 10s);
}

TEST_F(SignalSamplerTest, ADetectorThatCannotBeBuiltIsReportedAndNeverAsked) {
  auto policy = Policy();
  policy.spec.signals[0].detector = "no-such-detector";
  PolicyDetectors detectors(policy.spec.signals);
  SignalSampler sampler(prometheus_, metrics_, clock_);
  const auto sample = sampler.Sample("shop/orders", policy, ToPolicySpec(policy, context_),
                                     context_, detectors, holds_);
  EXPECT_EQ(sample.statuses[0].error.rfind("detector: ", 0), 0u) << sample.statuses[0].error;
  EXPECT_FALSE(sample.observation.signals[0].available);
  for (const auto& call : prometheus_->Calls()) EXPECT_EQ(call.find("p99"), std::string::npos);
}

}  // namespace
}  // namespace kubeheal::controllers
