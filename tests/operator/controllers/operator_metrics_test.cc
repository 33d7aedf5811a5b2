#include "kubeheal/controllers/operator_metrics.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <prometheus/text_serializer.h>

namespace kubeheal::controllers {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class OperatorMetricsTest : public ::testing::Test {
 protected:
  std::string Text() { return prometheus::TextSerializer().Serialize(registry_->Collect()); }
  std::shared_ptr<prometheus::Registry> registry_ = std::make_shared<prometheus::Registry>();
  OperatorMetrics metrics_{registry_};
};

TEST_F(OperatorMetricsTest, PhaseIsOneForTheCurrentPhaseAndZeroForTheOthers) {
  metrics_.PolicyPhase("shop/orders", "Anomalous");
  metrics_.PolicyPhase("shop/orders", "Remediating");
  const auto text = Text();
  EXPECT_THAT(text,
              HasSubstr(R"(kubeheal_policy_phase{phase="Remediating",policy="shop/orders"} 1)"));
  EXPECT_THAT(text,
              HasSubstr(R"(kubeheal_policy_phase{phase="Anomalous",policy="shop/orders"} 0)"));
  EXPECT_THAT(text, HasSubstr(R"(kubeheal_policy_phase{phase="Healthy",policy="shop/orders"} 0)"));
  int ones = 0;
  for (const auto& f : registry_->Collect()) {
    if (f.name != "kubeheal_policy_phase") continue;
    EXPECT_EQ(f.metric.size(), OperatorMetrics::Phases().size());
    for (const auto& m : f.metric) ones += m.gauge.value == 1 ? 1 : 0;
  }
  EXPECT_EQ(ones, 1);
}

TEST_F(OperatorMetricsTest, SignalValueAndBandAreExportedAndAMissingBandIsRemoved) {
  metrics_.SignalObserved("shop/orders", "p99", 0.8, 0.1, 0.5);
  auto text = Text();
  EXPECT_THAT(text, HasSubstr(R"(kubeheal_signal_value{policy="shop/orders",signal="p99"} 0.8)"));
  EXPECT_THAT(text,
              HasSubstr(R"(kubeheal_signal_band_low{policy="shop/orders",signal="p99"} 0.1)"));
  EXPECT_THAT(text,
              HasSubstr(R"(kubeheal_signal_band_high{policy="shop/orders",signal="p99"} 0.5)"));
  metrics_.SignalObserved("shop/orders", "p99", 0.9, std::nullopt, std::nullopt);
  text = Text();
  EXPECT_THAT(text, HasSubstr(R"(kubeheal_signal_value{policy="shop/orders",signal="p99"} 0.9)"));
  EXPECT_THAT(text, Not(HasSubstr(R"(kubeheal_signal_band_low{)")));
  EXPECT_THAT(text, Not(HasSubstr(R"(kubeheal_signal_band_high{)")));
}

TEST_F(OperatorMetricsTest, ForgetPolicyRemovesItsSeriesOnly) {
  for (const std::string policy : {"shop/orders", "shop/payments"}) {
    metrics_.SignalObserved(policy, "p99", 1, 0, 2);
    metrics_.AnomalyScore(policy, "p99", 0.3);
    metrics_.PolicyPhase(policy, "Healthy");
  }
  metrics_.ForgetPolicy("shop/orders");
  const auto text = Text();
  EXPECT_THAT(text, Not(HasSubstr(R"(policy="shop/orders")")));
  EXPECT_THAT(text, HasSubstr(R"(kubeheal_signal_value{policy="shop/payments",signal="p99"} 1)"));
  EXPECT_THAT(text,
              HasSubstr(R"(kubeheal_anomaly_score{policy="shop/payments",signal="p99"} 0.3)"));
  EXPECT_THAT(text,
              HasSubstr(R"(kubeheal_policy_phase{phase="Healthy",policy="shop/payments"} 1)"));
}

TEST_F(OperatorMetricsTest, ScenarioTimesAppearWhenMeasuredAndGoWithTheScenario) {
  metrics_.ScenarioTimes("shop/latency", 4.5, std::nullopt);
  auto text = Text();
  EXPECT_THAT(text, HasSubstr(R"(kubeheal_scenario_mttd_seconds{scenario="shop/latency"} 4.5)"));
  EXPECT_THAT(text, Not(HasSubstr("kubeheal_scenario_mttr_seconds{")));
  metrics_.ScenarioTimes("shop/latency", 4.5, 30);
  EXPECT_THAT(Text(), HasSubstr(R"(kubeheal_scenario_mttr_seconds{scenario="shop/latency"} 30)"));
  metrics_.ForgetScenario("shop/latency");
  EXPECT_THAT(Text(), Not(HasSubstr(R"(scenario="shop/latency")")));
}

TEST_F(OperatorMetricsTest, SeriesThatAlertsSelectExistAtZeroFromTheStart) {
  const auto text = Text();
  EXPECT_THAT(text, HasSubstr(R"(kubeheal_scenario_verdicts_total{verdict="Passed"} 0)"));
  EXPECT_THAT(text, HasSubstr(R"(kubeheal_scenario_verdicts_total{verdict="Failed"} 0)"));
  EXPECT_THAT(text, HasSubstr("kubeheal_prometheus_query_errors_total 0"));
  metrics_.Verdict("Passed");
  EXPECT_THAT(Text(), HasSubstr(R"(kubeheal_scenario_verdicts_total{verdict="Passed"} 1)"));
}

TEST_F(OperatorMetricsTest, DoesNotClaimTheRuntimesReconcileHistogram) {
  metrics_.Evaluation(0.2);
  const auto text = Text();
  EXPECT_THAT(text, HasSubstr("kubeheal_policy_evaluation_duration_seconds_count 1"));
  EXPECT_THAT(text, Not(HasSubstr("kubeheal_reconcile_duration_seconds")));
}

}  // namespace
}  // namespace kubeheal::controllers
