#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "kubeheal/api/healing_policy.h"
#include "kubeheal/common/clock.h"
#include "kubeheal/controllers/operator_metrics.h"
#include "kubeheal/controllers/policy_detectors.h"
#include "kubeheal/controllers/policy_translation.h"
#include "kubeheal/policy/observation.h"
#include "kubeheal/policy/policy_spec.h"
#include "kubeheal/policy/policy_state.h"
#include "kubeheal/prom/prometheus_client.h"

namespace kubeheal::controllers {

struct SignalSamplerOptions {
  // How far back a detector is warmed from a range query when its policy is new to this process.
  std::chrono::seconds warm_window{std::chrono::minutes(30)};
  // Server-side timeout of each query; all queries of one evaluation also end by the policy's
  // interval (at least a second).
  std::chrono::milliseconds query_timeout{std::chrono::seconds(10)};
  // A signal whose query returns more series is not used (QueriesValid=False, TooManySeries).
  size_t max_series_per_signal = 1000;
};

// What one evaluation saw of a policy's signals.
struct SignalSample {
  Clock::TimePoint at;              // when the evaluation asked (the time of every point fed)
  policy::Observation observation;  // for the decision engine: its signals only
  std::vector<api::SignalStatus> statuses;  // for status.signals
  int failed_queries = 0;                   // Prometheus could not be asked or did not answer
  std::string prometheus_error;             // the last such failure
  int invalid_queries = 0;                  // it answered, and the query is what is wrong
  std::string problem_reason;   // the last such problem: InvalidQuery, ResponseTooLarge,
  std::string problem_message;  // TooManySeries, and what it was
};

// The signal step of an evaluation: renders nothing itself (the signals' queries come rendered
// in the PolicySpec), asks Prometheus for each signal's value (warming a new detector from a
// range query over the warm window first), feeds the detectors, completes the derived signals
// (multivariate forests, the SLO burn rate) and publishes each signal's value, band and score
// on /metrics. Every query of one call ends by the policy's interval, so a slow Prometheus
// cannot hold a worker longer than the policy's own rhythm. Stateless; thread-safe.
class SignalSampler {
 public:
  SignalSampler(std::shared_ptr<prom::PrometheusClient> prometheus,
                std::shared_ptr<OperatorMetrics> metrics, std::shared_ptr<Clock> clock,
                SignalSamplerOptions options = {});

  // `key`: "ns/name" (the metrics' label); `spec`: the policy translated with its queries
  // rendered for `context`; `holds`: the engine state's, for each anomalous signal's
  // anomalousSince.
  SignalSample Sample(const std::string& key, const api::HealingPolicy& policy,
                      const policy::PolicySpec& spec, const QueryContext& context,
                      PolicyDetectors& detectors, const std::vector<policy::SignalHold>& holds);

 private:
  // One signal: warm-up, instant query, detector; its observation and status appended.
  void SampleOne(const std::string& key, const api::SignalSpec& signal, const std::string& query,
                 Clock::TimePoint now, Clock::TimePoint deadline, api::Millis interval,
                 PolicyDetectors& detectors, SignalSample* sample);
  // A detector new to this process learns the warm window's history (the largest series at
  // each step, as the live value is taken), once the range query answered.
  void WarmUp(const std::string& signal, const std::string& query, Clock::TimePoint now,
              std::chrono::milliseconds timeout, api::Millis interval, PolicyDetectors& detectors);
  // The value of an instant query's answer, or why there is none (the status' error, and the
  // sample's counts: failed, invalid).
  std::optional<double> ValueOf(const std::string& signal, const Result<prom::QueryResult>& result,
                                api::SignalStatus* ss, SignalSample* sample);
  std::chrono::milliseconds TimeoutLeft(Clock::TimePoint deadline) const;

  std::shared_ptr<prom::PrometheusClient> prometheus_;
  std::shared_ptr<OperatorMetrics> metrics_;
  std::shared_ptr<Clock> clock_;
  SignalSamplerOptions options_;
};

// Conditions PrometheusAvailable (False when a query failed: no action on unknown signals) and
// QueriesValid (False when a query cannot be used; left as it was while Prometheus fails).
void SetQueryConditions(const SignalSample& sample, size_t signals, int64_t generation,
                        Clock::TimePoint now, std::vector<api::Condition>* conditions);

}  // namespace kubeheal::controllers
