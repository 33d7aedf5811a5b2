#include "kubeheal/controllers/operator_metrics.h"

namespace kubeheal::controllers {

OperatorMetrics::OperatorMetrics(std::shared_ptr<prometheus::Registry> registry)
    : registry_(std::move(registry)),
      detections_(prometheus::BuildCounter()
                      .Name("kubeheal_detections_total")
                      .Help("Anomalies that held for their `for` and began an episode")
                      .Register(*registry_)),
      actions_(prometheus::BuildCounter()
                   .Name("kubeheal_actions_total")
                   .Help("Healing actions by action and result (succeeded, failed, dry_run)")
                   .Register(*registry_)),
      anomaly_score_(prometheus::BuildGauge()
                         .Name("kubeheal_anomaly_score")
                         .Help("Latest anomaly score in [0,1] per policy signal")
                         .Register(*registry_)),
      evaluation_seconds_(prometheus::BuildHistogram()
                              .Name("kubeheal_reconcile_duration_seconds")
                              .Help("Time to reconcile one object, by controller")
                              .Register(*registry_)),
      verdicts_(prometheus::BuildCounter()
                    .Name("kubeheal_scenario_verdicts_total")
                    .Help("FaultScenario verdicts by result")
                    .Register(*registry_)),
      prometheus_errors_(prometheus::BuildCounter()
                             .Name("kubeheal_prometheus_query_errors_total")
                             .Help("Prometheus queries that failed")
                             .Register(*registry_)) {}

void OperatorMetrics::Detection(const std::string& policy, const std::string& signal) {
  detections_.Add({{"policy", policy}, {"signal", signal}}).Increment();
}

void OperatorMetrics::Action(const std::string& action, const std::string& result) {
  actions_.Add({{"action", action}, {"result", result}}).Increment();
}

void OperatorMetrics::AnomalyScore(const std::string& policy, const std::string& signal,
                                   double score) {
  anomaly_score_.Add({{"policy", policy}, {"signal", signal}}).Set(score);
}

void OperatorMetrics::Evaluation(const std::string& controller, double seconds) {
  static const prometheus::Histogram::BucketBoundaries buckets = {
      0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
  evaluation_seconds_.Add({{"controller", controller}}, buckets).Observe(seconds);
}

void OperatorMetrics::Verdict(const std::string& verdict) {
  verdicts_.Add({{"verdict", verdict}}).Increment();
}

void OperatorMetrics::PrometheusError() { prometheus_errors_.Add({}).Increment(); }

double OperatorMetrics::ActionCount(const std::string& action, const std::string& result) {
  return actions_.Add({{"action", action}, {"result", result}}).Value();
}

double OperatorMetrics::DetectionCount(const std::string& policy, const std::string& signal) {
  return detections_.Add({{"policy", policy}, {"signal", signal}}).Value();
}

}  // namespace kubeheal::controllers
