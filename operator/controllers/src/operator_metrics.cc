#include "kubeheal/controllers/operator_metrics.h"

#include "kubeheal/kube/metric_family.h"

namespace kubeheal::controllers {
namespace {

using kube::RegisterFamily;
using prometheus::Counter;
using prometheus::Gauge;
using prometheus::Histogram;

}  // namespace

const std::set<std::string>& OperatorMetrics::Phases() {
  static const std::set<std::string> kPhases = {
      "Pending", "Healthy", "Anomalous", "Remediating", "Recovered", "Exhausted", "Suspended"};
  return kPhases;
}

OperatorMetrics::OperatorMetrics(std::shared_ptr<prometheus::Registry> registry)
    : registry_(std::move(registry)),
      detections_(
          RegisterFamily<Counter>(*registry_, "kubeheal_detections_total",
                                  "Anomalies that held for their `for` and began an episode")),
      actions_(RegisterFamily<Counter>(
          *registry_, "kubeheal_actions_total",
          "Healing actions by action and result (succeeded, failed, dry_run)")),
      anomaly_score_(RegisterFamily<Gauge>(*registry_, "kubeheal_anomaly_score",
                                           "Latest anomaly score in [0,1] per policy signal")),
      signal_value_(RegisterFamily<Gauge>(*registry_, "kubeheal_signal_value",
                                          "Latest value of a policy signal's query")),
      band_low_(RegisterFamily<Gauge>(*registry_, "kubeheal_signal_band_low",
                                      "Lower bound of the band the signal's detector expects")),
      band_high_(RegisterFamily<Gauge>(*registry_, "kubeheal_signal_band_high",
                                       "Upper bound of the band the signal's detector expects")),
      policy_phase_(
          RegisterFamily<Gauge>(*registry_, "kubeheal_policy_phase",
                                "1 for a HealingPolicy's current phase, 0 for its other phases")),
      evaluation_seconds_(RegisterFamily<Histogram>(
          *registry_, "kubeheal_policy_evaluation_duration_seconds",
          "Time to evaluate one HealingPolicy: queries, detectors, decision and actions")),
      verdicts_(RegisterFamily<Counter>(*registry_, "kubeheal_scenario_verdicts_total",
                                        "FaultScenario verdicts by result")),
      mttd_(
          RegisterFamily<Gauge>(*registry_, "kubeheal_scenario_mttd_seconds",
                                "Time from a FaultScenario's injection to the policy's detection")),
      mttr_(
          RegisterFamily<Gauge>(*registry_, "kubeheal_scenario_mttr_seconds",
                                "Time from a FaultScenario's injection to the policy's recovery")),
      prometheus_errors_(RegisterFamily<Counter>(
          *registry_, "kubeheal_prometheus_query_errors_total", "Prometheus queries that failed")) {
  // Series a dashboard or alert selects exist from the start, at zero.
  verdicts_.Add({{"verdict", "Passed"}});
  verdicts_.Add({{"verdict", "Failed"}});
  prometheus_errors_.Add({});
}

void OperatorMetrics::Detection(const std::string& policy, const std::string& signal) {
  detections_.Add({{"policy", policy}, {"signal", signal}}).Increment();
}

void OperatorMetrics::Action(const std::string& action, const std::string& result) {
  actions_.Add({{"action", action}, {"result", result}}).Increment();
}

void OperatorMetrics::AnomalyScore(const std::string& policy, const std::string& signal,
                                   double score) {
  {
    std::lock_guard lock(mu_);
    signals_of_policy_[policy].insert(signal);
  }
  anomaly_score_.Add({{"policy", policy}, {"signal", signal}}).Set(score);
}

void OperatorMetrics::SetOrRemove(GaugeFamily& family, const prometheus::Labels& labels,
                                  std::optional<double> value) {
  if (value) {
    family.Add(labels).Set(*value);
  } else if (family.Has(labels)) {
    family.Remove(&family.Add(labels));
  }
}

void OperatorMetrics::SignalObserved(const std::string& policy, const std::string& signal,
                                     std::optional<double> value, std::optional<double> band_low,
                                     std::optional<double> band_high) {
  {
    std::lock_guard lock(mu_);
    signals_of_policy_[policy].insert(signal);
  }
  const prometheus::Labels labels = {{"policy", policy}, {"signal", signal}};
  SetOrRemove(signal_value_, labels, value);
  SetOrRemove(band_low_, labels, band_low);
  SetOrRemove(band_high_, labels, band_high);
}

void OperatorMetrics::PolicyPhase(const std::string& policy, const std::string& phase) {
  for (const auto& p : Phases()) {
    policy_phase_.Add({{"policy", policy}, {"phase", p}}).Set(p == phase ? 1 : 0);
  }
}

void OperatorMetrics::ForgetPolicy(const std::string& policy) {
  std::set<std::string> signals;
  {
    std::lock_guard lock(mu_);
    auto it = signals_of_policy_.find(policy);
    if (it != signals_of_policy_.end()) {
      signals = std::move(it->second);
      signals_of_policy_.erase(it);
    }
  }
  for (const auto& signal : signals) {
    const prometheus::Labels labels = {{"policy", policy}, {"signal", signal}};
    for (GaugeFamily* f : {&signal_value_, &band_low_, &band_high_, &anomaly_score_}) {
      SetOrRemove(*f, labels, std::nullopt);
    }
  }
  for (const auto& p : Phases()) {
    SetOrRemove(policy_phase_, {{"policy", policy}, {"phase", p}}, std::nullopt);
  }
}

void OperatorMetrics::Evaluation(double seconds) {
  static const prometheus::Histogram::BucketBoundaries buckets = {
      0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
  evaluation_seconds_.Add({}, buckets).Observe(seconds);
}

void OperatorMetrics::Verdict(const std::string& verdict) {
  verdicts_.Add({{"verdict", verdict}}).Increment();
}

void OperatorMetrics::ScenarioTimes(const std::string& scenario, std::optional<double> mttd_seconds,
                                    std::optional<double> mttr_seconds) {
  SetOrRemove(mttd_, {{"scenario", scenario}}, mttd_seconds);
  SetOrRemove(mttr_, {{"scenario", scenario}}, mttr_seconds);
}

void OperatorMetrics::ForgetScenario(const std::string& scenario) {
  ScenarioTimes(scenario, std::nullopt, std::nullopt);
}

void OperatorMetrics::PrometheusError() { prometheus_errors_.Add({}).Increment(); }

double OperatorMetrics::ActionCount(const std::string& action, const std::string& result) {
  return actions_.Add({{"action", action}, {"result", result}}).Value();
}

double OperatorMetrics::DetectionCount(const std::string& policy, const std::string& signal) {
  return detections_.Add({{"policy", policy}, {"signal", signal}}).Value();
}

}  // namespace kubeheal::controllers
