#pragma once

#include <memory>
#include <string>

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

namespace kubeheal::controllers {

// The controllers' own statistics, declared in one place. Labels are bounded: action and
// result names, and policy/signal names (as many as there are policies, by design of
// kubeheal_anomaly_score). prometheus-cpp is thread-safe, so any worker may record.
class OperatorMetrics {
 public:
  explicit OperatorMetrics(std::shared_ptr<prometheus::Registry> registry);

  void Detection(const std::string& policy, const std::string& signal);
  void Action(const std::string& action, const std::string& result);
  void AnomalyScore(const std::string& policy, const std::string& signal, double score);
  void Evaluation(const std::string& controller, double seconds);
  void Verdict(const std::string& verdict);
  void PrometheusError();

  double ActionCount(const std::string& action, const std::string& result);
  double DetectionCount(const std::string& policy, const std::string& signal);

 private:
  std::shared_ptr<prometheus::Registry> registry_;
  prometheus::Family<prometheus::Counter>& detections_;
  prometheus::Family<prometheus::Counter>& actions_;
  prometheus::Family<prometheus::Gauge>& anomaly_score_;
  prometheus::Family<prometheus::Histogram>& evaluation_seconds_;
  prometheus::Family<prometheus::Counter>& verdicts_;
  prometheus::Family<prometheus::Counter>& prometheus_errors_;
};

}  // namespace kubeheal::controllers
