#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

namespace kubeheal::controllers {

// The controllers' own statistics, declared in one place (the runtime's — reconcile
// durations, work queues, API requests — are kube::KubeMetrics').
//
// Labels are bounded: action, result, verdict and phase names, and one `policy` / `scenario`
// value per object. `policy` and `scenario` are the object's key "namespace/name": a separate
// `namespace` label would be renamed `exported_namespace` by any scrape that attaches the
// operator pod's own namespace, and the key keeps same-named objects of two namespaces apart.
// Series of a deleted object are removed (ForgetPolicy / ForgetScenario).
//
// prometheus-cpp metrics are thread-safe; `mu_` guards only the bookkeeping of which series
// exist per object, so any worker may record.
class OperatorMetrics {
 public:
  explicit OperatorMetrics(std::shared_ptr<prometheus::Registry> registry);

  void Detection(const std::string& policy, const std::string& signal);
  void Action(const std::string& action, const std::string& result);
  void AnomalyScore(const std::string& policy, const std::string& signal, double score);
  // The signal's latest value and the detector's expected band; an absent figure removes its
  // series (e.g. no band yet while a detector warms up).
  void SignalObserved(const std::string& policy, const std::string& signal,
                      std::optional<double> value, std::optional<double> band_low,
                      std::optional<double> band_high);
  // kubeheal_policy_phase is 1 for `phase` and 0 for every other phase, so `== 1` selects it.
  void PolicyPhase(const std::string& policy, const std::string& phase);
  void ForgetPolicy(const std::string& policy);
  // Time of one policy evaluation (queries, detectors, decision, actions).
  void Evaluation(double seconds);

  void Verdict(const std::string& verdict);
  // MTTD and MTTR of a scenario's run, once measured.
  void ScenarioTimes(const std::string& scenario, std::optional<double> mttd_seconds,
                     std::optional<double> mttr_seconds);
  void ForgetScenario(const std::string& scenario);
  void PrometheusError();

  double ActionCount(const std::string& action, const std::string& result);
  double DetectionCount(const std::string& policy, const std::string& signal);

  // Every phase kubeheal_policy_phase reports (api HealingPolicy status.phase values).
  static const std::set<std::string>& Phases();

 private:
  using GaugeFamily = prometheus::Family<prometheus::Gauge>;
  void SetOrRemove(GaugeFamily& family, const prometheus::Labels& labels,
                   std::optional<double> value);

  std::shared_ptr<prometheus::Registry> registry_;
  prometheus::Family<prometheus::Counter>& detections_;
  prometheus::Family<prometheus::Counter>& actions_;
  GaugeFamily& anomaly_score_;
  GaugeFamily& signal_value_;
  GaugeFamily& band_low_;
  GaugeFamily& band_high_;
  GaugeFamily& policy_phase_;
  prometheus::Family<prometheus::Histogram>& evaluation_seconds_;
  prometheus::Family<prometheus::Counter>& verdicts_;
  GaugeFamily& mttd_;
  GaugeFamily& mttr_;
  prometheus::Family<prometheus::Counter>& prometheus_errors_;

  std::mutex mu_;
  std::map<std::string, std::set<std::string>> signals_of_policy_;  // guarded by mu_
};

}  // namespace kubeheal::controllers
