#include "kubeheal/controllers/signal_sampler.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <utility>

#include "kubeheal/api/duration.h"
#include "signal_conversions.h"

namespace kubeheal::controllers {
namespace {

double Seconds(Clock::TimePoint t) {
  return std::chrono::duration<double>(t.time_since_epoch()).count();
}

// A matrix as one series: at each step the largest finite value of any series (PickValue's
// rule, applied to history), in time order.
std::vector<std::pair<Clock::TimePoint, double>> LargestPerStep(const prom::QueryResult& r) {
  std::map<Clock::TimePoint, double> largest;
  for (const auto& s : r.series) {
    for (const auto& sample : s.samples) {
      if (!std::isfinite(sample.value)) continue;
      auto [it, inserted] = largest.emplace(sample.time, sample.value);
      if (!inserted) it->second = std::max(it->second, sample.value);
    }
  }
  return {largest.begin(), largest.end()};
}

// The anomalousSince of an anomalous signal: when the engine's hold on it began.
void MarkAnomalousSince(const std::vector<policy::SignalHold>& holds, api::SignalStatus* ss) {
  for (const auto& hold : holds) {
    if (hold.signal == ss->name && ss->anomalous) {
      ss->anomalous_since = FormatRfc3339(hold.anomalous_since);
    }
  }
}

// A fed point's assessment into the engine's observation and the status entry.
void Assessed(const detectors::Assessment& a, double value, policy::SignalObservation* obs,
              api::SignalStatus* ss) {
  obs->value = value;
  obs->expected_low = a.low;
  obs->expected_high = a.high;
  obs->score = a.score;
  obs->severity = ToPolicySeverity(a.severity);
  obs->anomalous = a.anomalous;
  obs->explanation = a.explanation;
  ss->value = value;
  ss->low = Finite(a.low);
  ss->high = Finite(a.high);
  ss->score = std::isfinite(a.score) ? a.score : 0;
  ss->severity = std::string(detectors::SeverityName(a.severity));
  ss->confidence = std::isfinite(a.confidence) ? a.confidence : 0;
  ss->anomalous = a.anomalous;
  ss->explanation = a.explanation;
}

Error BudgetSpent(api::Millis interval) {
  return Error::Retryable("Timeout", "not asked: this evaluation spent its query time (" +
                                         api::FormatDuration(interval) +
                                         ", the policy's interval)");
}

}  // namespace

SignalSampler::SignalSampler(std::shared_ptr<prom::PrometheusClient> prometheus,
                             std::shared_ptr<OperatorMetrics> metrics, std::shared_ptr<Clock> clock,
                             SignalSamplerOptions options)
    : prometheus_(std::move(prometheus)),
      metrics_(std::move(metrics)),
      clock_(std::move(clock)),
      options_(options) {}

std::chrono::milliseconds SignalSampler::TimeoutLeft(Clock::TimePoint deadline) const {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock_->Now());
  if (left < std::chrono::milliseconds(100)) return std::chrono::milliseconds(0);
  return std::min(options_.query_timeout, left);
}

SignalSample SignalSampler::Sample(const std::string& key, const api::HealingPolicy& p,
                                   const policy::PolicySpec& spec, const QueryContext& context,
                                   PolicyDetectors& detectors,
                                   const std::vector<policy::SignalHold>& holds) {
  SignalSample sample;
  const auto now = clock_->Now();
  sample.at = now;
  const auto deadline = now + std::max<Clock::Duration>(std::chrono::seconds(1), p.spec.interval);
  for (size_t i = 0; i < p.spec.signals.size(); ++i) {
    SampleOne(key, p.spec.signals[i], spec.signals[i].query, now, deadline, p.spec.interval,
              detectors, &sample);
    MarkAnomalousSince(holds, &sample.statuses.back());
  }
  // Signals derived from others (multivariate forests, the SLO burn rate), once all are fed.
  std::vector<std::pair<std::optional<double>, double>> fed;
  for (const auto& ss : sample.statuses) fed.emplace_back(ss.value, ss.score);
  detectors.EvaluateDerived(*prometheus_, options_.query_timeout, context, Seconds(now),
                            &sample.observation, &sample.statuses);
  // Derived entries (added, or completed after the loop above) get their metrics and
  // anomalousSince here, like the signals fed directly.
  for (size_t i = 0; i < sample.statuses.size(); ++i) {
    auto& ss = sample.statuses[i];
    if (i < fed.size() && fed[i] == std::make_pair(ss.value, ss.score)) continue;
    metrics_->AnomalyScore(key, ss.name, ss.score);
    metrics_->SignalObserved(key, ss.name, ss.value, ss.value ? ss.low : std::nullopt,
                             ss.value ? ss.high : std::nullopt);
    MarkAnomalousSince(holds, &ss);
  }
  return sample;
}

void SignalSampler::SampleOne(const std::string& key, const api::SignalSpec& signal,
                              const std::string& query, Clock::TimePoint now,
                              Clock::TimePoint deadline, api::Millis interval,
                              PolicyDetectors& detectors, SignalSample* sample) {
  policy::SignalObservation obs;
  obs.name = signal.name;
  obs.query = query;
  api::SignalStatus ss;
  ss.name = signal.name;
  if (!detectors.Has(signal.name)) {
    obs.available = false;
    ss.error = "detector: " + detectors.BuildError(signal.name);
    sample->observation.signals.push_back(std::move(obs));
    sample->statuses.push_back(std::move(ss));
    return;
  }
  if (!detectors.Warmed(signal.name)) {
    WarmUp(signal.name, query, now, TimeoutLeft(deadline), interval, detectors);
  }
  const auto timeout = TimeoutLeft(deadline);
  auto result = timeout.count() > 0 ? prometheus_->Query({query, std::nullopt, timeout})
                                    : Result<prom::QueryResult>(BudgetSpent(interval));
  const auto value = ValueOf(signal.name, result, &ss, sample);
  if (!value) {
    obs.available = false;
  } else {
    Assessed(detectors.Feed(signal.name, Seconds(now), *value), *value, &obs, &ss);
    metrics_->AnomalyScore(key, signal.name, ss.score);
  }
  metrics_->SignalObserved(key, signal.name, value, value ? ss.low : std::nullopt,
                           value ? ss.high : std::nullopt);
  sample->observation.signals.push_back(std::move(obs));
  sample->statuses.push_back(std::move(ss));
}

void SignalSampler::WarmUp(const std::string& signal, const std::string& query,
                           Clock::TimePoint now, std::chrono::milliseconds timeout,
                           api::Millis interval, PolicyDetectors& detectors) {
  prom::RangeQuery warm{query, now - options_.warm_window, now,
                        std::chrono::duration_cast<std::chrono::milliseconds>(interval), timeout};
  auto history = timeout.count() > 0 ? prometheus_->QueryRange(warm)
                                     : Result<prom::QueryResult>(BudgetSpent(interval));
  if (!history.ok() || history->series.size() > options_.max_series_per_signal) return;
  // The live value is the largest of the series at each evaluation, so the history replayed is
  // the same: the largest at each step.
  for (const auto& [time, value] : LargestPerStep(*history)) {
    detectors.Feed(signal, Seconds(time), value);
  }
  detectors.MarkWarmed(signal);
}

std::optional<double> SignalSampler::ValueOf(const std::string& signal,
                                             const Result<prom::QueryResult>& result,
                                             api::SignalStatus* ss, SignalSample* sample) {
  if (!result.ok() && prom::IsQueryError(result.error())) {
    ++sample->invalid_queries;
    const bool too_large = result.error().code == "ResponseTooLarge";
    sample->problem_reason = too_large ? "ResponseTooLarge" : "InvalidQuery";
    sample->problem_message = signal + ": " + result.error().ToString();
    ss->error = "query rejected: " + result.error().ToString();
    return std::nullopt;
  }
  if (!result.ok()) {
    ++sample->failed_queries;
    metrics_->PrometheusError();
    sample->prometheus_error = result.error().ToString();
    ss->error = "query failed: " + result.error().ToString();
    return std::nullopt;
  }
  if (result->series.size() > options_.max_series_per_signal) {
    ++sample->invalid_queries;
    ss->error = "query returned " + std::to_string(result->series.size()) +
                " series, over the limit of " + std::to_string(options_.max_series_per_signal) +
                " per signal (--max-series-per-signal): aggregate it (sum/max by) to the "
                "target's series";
    sample->problem_reason = "TooManySeries";
    sample->problem_message = signal + ": " + ss->error;
    return std::nullopt;
  }
  auto value = PickValue(*result);
  if (!value) ss->error = "query returned no value";
  return value;
}

void SetQueryConditions(const SignalSample& sample, size_t signals, int64_t generation,
                        Clock::TimePoint now, std::vector<api::Condition>* conditions) {
  const std::string of = " of " + std::to_string(signals);
  if (sample.failed_queries > 0) {
    api::SetCondition(
        conditions,
        {"PrometheusAvailable", "False", "QueryFailed",
         std::to_string(sample.failed_queries) + of +
             " queries failed, no action is taken on unknown signals: " + sample.prometheus_error,
         "", generation},
        now);
  } else {
    api::SetCondition(conditions,
                      {"PrometheusAvailable", "True", "QueriesSucceeded",
                       "Prometheus answered every signal query", "", generation},
                      now);
  }
  if (sample.invalid_queries > 0) {
    api::SetCondition(conditions,
                      {"QueriesValid", "False", sample.problem_reason,
                       std::to_string(sample.invalid_queries) + of +
                           " signal queries cannot be used, no action is taken on them: " +
                           sample.problem_message,
                       "", generation},
                      now);
  } else if (sample.failed_queries == 0) {
    api::SetCondition(conditions,
                      {"QueriesValid", "True", "QueriesValid",
                       "every signal query returned a usable value or none", "", generation},
                      now);
  }
}

}  // namespace kubeheal::controllers
