#include "kubeheal/controllers/healing_policy_reconciler.h"

#include <algorithm>
#include <csignal>
#include <cmath>
#include <iomanip>
#include <map>
#include <set>
#include <string_view>
#include <sstream>

#include "kubeheal/api/duration.h"
#include "kubeheal/common/logger.h"
#include "kubeheal/controllers/policy_translation.h"
#include "kubeheal/policy/explanation.h"
#include "kubeheal/policy/state_json.h"
#include "signal_conversions.h"

namespace kubeheal::controllers {
namespace {

constexpr const char* kKind = "HealingPolicy";

// A test hook (--failpoint): the process SIGKILLs itself here, as a node loss or an OOM kill
// would, so the tests can prove what a successor does with what it left behind.
void HitFailpoint(const std::string& configured, std::string_view name) {
  if (configured != name) return;
  Log().Warn("failpoint reached: SIGKILL", {{"failpoint", std::string(name)}});
  std::raise(SIGKILL);
}

// The `action` label of kubeheal_actions_total and of the "action" log line.
std::string ActionMetricName(const policy::Decision& d) {
  return d.revert ? std::string("revert") : std::string(policy::ActionTypeName(d.action));
}

double Seconds(Clock::TimePoint t) {
  return std::chrono::duration<double>(t.time_since_epoch()).count();
}

// One number from a query result: the largest finite value of a vector, or the scalar.
std::optional<double> PickValue(const prom::QueryResult& r) {
  if (r.type == prom::ResultType::kScalar) return Finite(r.scalar.value);
  std::optional<double> best;
  for (const auto& s : r.series) {
    if (s.samples.empty() || !std::isfinite(s.samples.back().value)) continue;
    if (!best || s.samples.back().value > *best) best = s.samples.back().value;
  }
  return best;
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

std::string PodRegex(const std::string& workload, const std::vector<Json>& pods) {
  std::string out;
  for (const auto& p : pods) {
    out += (out.empty() ? "" : "|") + p["metadata"].value("name", "");
  }
  return out.empty() ? workload + "-.*" : out;
}

policy::WorkloadFacts FactsOf(const Json& workload, const std::vector<Json>& pods) {
  policy::WorkloadFacts f;
  f.current_replicas = workload.value("spec", Json::object()).value("replicas", 0);
  for (const auto& pod : pods) {
    if (pod["metadata"].contains("deletionTimestamp")) continue;
    const auto& status = pod.value("status", Json::object());
    bool crashing = false;
    for (const auto& cs : status.value("containerStatuses", Json::array())) {
      const auto& waiting = cs.value("state", Json::object()).value("waiting", Json::object());
      if (waiting.value("reason", "") == "CrashLoopBackOff") crashing = true;
    }
    if (crashing) ++f.crashing_pods;
    for (const auto& c : status.value("conditions", Json::array())) {
      if (c.value("type", "") == "Ready" && c.value("status", "") == "False") ++f.not_ready_pods;
    }
  }
  return f;
}

std::string ResultName(const policy::HistoryEntry& h) {
  if (h.decision.dry_run) return "DryRun";
  switch (h.outcome) {
    case policy::Outcome::kPending: return "Pending";
    case policy::Outcome::kSucceeded: return h.decision.revert ? "Reverted" : "Succeeded";
    case policy::Outcome::kFailed: return "Failed";
  }
  return "Pending";
}

// A status without the figures that change on every evaluation, to tell a real change.
Json WithoutLiveFigures(Json status) {
  status.erase("lastEvaluationTime");
  if (status.contains("signals") && status["signals"].is_array()) {
    for (auto& s : status["signals"]) {
      for (const char* live : {"value", "expected", "score", "confidence", "explanation"}) {
        s.erase(live);
      }
    }
  }
  return status;
}

std::string Figure(std::optional<double> v) {
  if (!v) return "?";
  std::ostringstream out;
  out << std::setprecision(3) << *v;
  return out.str();
}

// "p99-latency 1.2 (expected ..0.4)"
std::string SignalSummary(const api::SignalStatus& s) {
  return s.name + " " + Figure(s.value) + " (expected " + (s.low ? Figure(s.low) : "") + ".." +
         (s.high ? Figure(s.high) : "") + ")";
}

policy::Pattern PatternOfSignal(const policy::PolicySpec& spec, const std::string& name) {
  for (const auto& s : spec.signals) {
    if (s.name == name) return s.pattern;
  }
  return policy::Pattern::kCustom;
}

// The anomalies of this evaluation that no related policy explains: what this policy tells the
// policies related to it.
std::vector<policy::RelatedAnomaly> OwnAnomalies(const policy::PolicySpec& spec,
                                                 const policy::Observation& observation,
                                                 const std::vector<api::SignalStatus>& signals,
                                                 Clock::TimePoint now) {
  std::vector<policy::RelatedAnomaly> own;
  auto add = [&](policy::Pattern pattern, const std::string& summary) {
    if (policy::Explain(pattern, observation, now)) return;
    for (const auto& a : own) {
      if (a.pattern == pattern) return;
    }
    own.push_back({pattern, now, summary});
  };
  for (const auto& s : signals) {
    if (s.anomalous && s.value) add(PatternOfSignal(spec, s.name), SignalSummary(s));
  }
  if (observation.workload.crashing_pods > 0) {
    add(policy::Pattern::kCrash, std::to_string(observation.workload.crashing_pods) +
                                     " pods in CrashLoopBackOff");
  }
  if (observation.workload.not_ready_pods > 0) {
    add(policy::Pattern::kNotReady,
        std::to_string(observation.workload.not_ready_pods) + " pods not ready");
  }
  return own;
}

}  // namespace

StoredEngineState ReadStoredEngineState(const Json& policy_object) {
  StoredEngineState out;
  Json doc;
  std::string where;
  const Json* status = policy_object.contains("status") ? &policy_object["status"] : nullptr;
  if (status != nullptr && status->is_object() && status->contains("engineState")) {
    out.source = StoredEngineState::Source::kStatus;
    where = "status.engineState";
    doc = (*status)["engineState"];
  } else {
    const Json& meta = policy_object.contains("metadata") ? policy_object["metadata"] : Json();
    const Json& annotations =
        meta.is_object() && meta.contains("annotations") ? meta["annotations"] : Json();
    if (!annotations.is_object() || !annotations.contains(kEngineStateAnnotation)) return out;
    out.source = StoredEngineState::Source::kAnnotation;
    where = std::string("annotation ") + kEngineStateAnnotation;
    const Json& text = annotations[kEngineStateAnnotation];
    doc = text.is_string() ? Json::parse(text.get<std::string>(), nullptr, false) : Json();
    if (doc.is_discarded()) {
      out.error = where + " is not JSON";
      return out;
    }
  }
  if (!doc.is_object()) {
    out.error = where + " is not an object";
    return out;
  }
  auto state = policy::PolicyStateFromJson(doc.value("engine", Json::object()));
  if (!state.ok()) {
    out.error = where + ".engine: " + state.error().message;
    return out;
  }
  if (const auto tags = doc.find("scenarioTags"); tags != doc.end()) {
    if (!tags->is_object()) {
      out.error = where + ".scenarioTags is not an object";
      return out;
    }
    for (const auto& [id, scenario] : tags->items()) {
      if (!scenario.is_string()) {
        out.error = where + ".scenarioTags[\"" + id + "\"] is not a string";
        return out;
      }
      out.scenario_tags[id] = scenario.get<std::string>();
    }
  }
  out.state = std::move(*state);
  return out;
}

std::pair<std::string, std::string> SplitKey(const std::string& key) {
  const auto slash = key.find('/');
  if (slash == std::string::npos) return {"", key};
  return {key.substr(0, slash), key.substr(slash + 1)};
}

HealingPolicyReconciler::HealingPolicyReconciler(
    std::shared_ptr<KubeOperations> kube, std::shared_ptr<prom::PrometheusClient> prometheus,
    std::shared_ptr<policy::DecisionEngine> engine, std::shared_ptr<ActionExecutor> executor,
    std::shared_ptr<ScenarioRegistry> scenarios, std::shared_ptr<OperatorMetrics> metrics,
    std::shared_ptr<Clock> clock, std::function<double()> uniform01,
    HealingPolicyReconcilerOptions options)
    : kube_(std::move(kube)),
      prometheus_(std::move(prometheus)),
      engine_(std::move(engine)),
      executor_(std::move(executor)),
      scenarios_(std::move(scenarios)),
      metrics_(std::move(metrics)),
      clock_(std::move(clock)),
      uniform01_(std::move(uniform01)),
      options_(options) {}

HealingPolicyReconciler::PolicyRuntime& HealingPolicyReconciler::RuntimeFor(
    const std::string& key) {
  std::lock_guard lock(mu_);
  auto& slot = policies_[key];
  if (!slot) slot = std::make_unique<PolicyRuntime>();
  return *slot;
}

void HealingPolicyReconciler::Forget(const std::string& key) {
  std::lock_guard lock(mu_);
  policies_.erase(key);
}

std::chrono::nanoseconds HealingPolicyReconciler::NextInterval(const api::HealingPolicy& p) {
  const double jitter = options_.interval_jitter * (2 * (uniform01_ ? uniform01_() : 0.5) - 1);
  return std::chrono::duration_cast<std::chrono::nanoseconds>(p.spec.interval * (1 + jitter));
}

kube::ReconcileResult HealingPolicyReconciler::Reconcile(const std::string& key) {
  const auto started = clock_->SteadyNow();
  const auto [ns, name] = SplitKey(key);
  auto object = kube_->GetCustom(kKind, ns, name);
  if (!object.ok()) {
    if (object.error().http_status == 404) {
      Forget(key);
      board_.Forget(ns, name);
      metrics_->ForgetPolicy(key);
      return kube::ReconcileResult::Done();
    }
    return kube::ReconcileResult::FromError(object.error());
  }
  auto parsed = api::HealingPolicyFromJson(*object);
  if (!parsed.ok()) return WriteInvalid(*object, parsed.error());
  auto& rt = RuntimeFor(key);
  if (rt.generation != parsed->metadata.generation) {
    // New policy or changed spec: new detectors (warmed again), evaluate now.
    rt.generation = parsed->metadata.generation;
    rt.detectors = std::make_unique<PolicyDetectors>(
        parsed->spec, object->value("spec", Json::object())
                          .value("slo", Json::object())
                          .value("burnRateAlerts", Json()));
    rt.next_evaluation.reset();
    rt.evaluated = false;
    metrics_->ForgetPolicy(key);  // signals may have been renamed or removed
  }
  const auto now = clock_->SteadyNow();
  if (rt.next_evaluation && now < *rt.next_evaluation) {
    return kube::ReconcileResult::RequeueAfter(*rt.next_evaluation - now);
  }
  // The first wait after a (re)start is jittered so that policies spread out; then the cadence
  // is the interval exactly, measured from this evaluation: a `for` of two intervals is held at
  // the second evaluation after the first anomalous one, never a third.
  const auto interval = rt.evaluated ? std::chrono::duration_cast<std::chrono::nanoseconds>(
                                           parsed->spec.interval)
                                     : NextInterval(*parsed);
  rt.evaluated = true;
  rt.next_evaluation = now + interval;
  auto result = Evaluate(key, std::move(*object), *parsed, rt);
  metrics_->Evaluation(std::chrono::duration<double>(clock_->SteadyNow() - started).count());
  if (result.kind == kube::ReconcileResult::Kind::kDone) {
    return kube::ReconcileResult::RequeueAfter(interval);
  }
  return result;
}

kube::ReconcileResult HealingPolicyReconciler::WriteInvalid(Json object, const Error& error) {
  auto status = api::HealingPolicyStatusFromJson(object.value("status", Json::object()));
  const int64_t generation = object["metadata"].value("generation", int64_t{0});
  api::SetCondition(&status.conditions,
                    {"SpecValid", "False", "InvalidSpec", error.message, "", generation},
                    clock_->Now());
  status.phase = "Pending";
  status.observed_generation = generation;
  metrics_->PolicyPhase(object["metadata"].value("namespace", "") + "/" +
                            object["metadata"].value("name", ""),
                        status.phase);
  object["status"] = api::ToJson(status);
  (void)kube_->UpdateCustomStatus(kKind, object);
  (void)kube_->RecordEvent(object, "Warning", "InvalidSpec", error.message);
  Log().Warn("invalid HealingPolicy",
             {{"policy", object["metadata"].value("namespace", "") + "/" +
                             object["metadata"].value("name", "")},
              {"error", error.message}});
  return kube::ReconcileResult::FromError(error);
}

kube::ReconcileResult HealingPolicyReconciler::Evaluate(const std::string& key, Json object,
                                                        api::HealingPolicy& p,
                                                        PolicyRuntime& rt) {
  const auto& ns = p.metadata.namespace_;
  const auto& target = p.spec.target_ref;
  auto status = p.status;
  status.observed_generation = p.metadata.generation;
  api::SetCondition(&status.conditions,
                    {"SpecValid", "True", "Valid", "spec accepted", "", p.metadata.generation},
                    clock_->Now());

  // Engine state: in memory, else from the status (operator restarted), else new. A stored
  // state that does not read is said (condition, Warning Event, log), never dropped silently.
  if (!rt.state) {
    auto stored = ReadStoredEngineState(object);
    rt.state = std::move(stored.state);
    rt.scenario_tags = std::move(stored.scenario_tags);
    rt.resume_pending = rt.state.has_value();
    if (rt.state) engine_->RememberRestored(*rt.state);  // the operator-wide budget
    if (!stored.error.empty()) {
      const std::string message = stored.error +
                                  "; started fresh: cooldowns, action budgets, open episodes and "
                                  "pending reverts of this policy are forgotten";
      api::SetCondition(&status.conditions,
                        {kEngineStateValid, "False", "Corrupt", message, "", p.metadata.generation},
                        clock_->Now());
      (void)kube_->RecordEvent(object, "Warning", "EngineStateCorrupt", message);
      Log().Warn("engine state corrupt", {{"policy", key}, {"error", stored.error}});
    } else {
      const char* reason = stored.source == StoredEngineState::Source::kStatus ? "Restored"
                           : stored.source == StoredEngineState::Source::kAnnotation
                               ? "Migrated"
                               : "New";
      const char* message =
          stored.source == StoredEngineState::Source::kStatus
              ? "engine state read from status.engineState"
          : stored.source == StoredEngineState::Source::kAnnotation
              ? "engine state read from the annotation kubeheal.io/engine-state of an earlier "
                "version; kept in status.engineState from now on"
              : "no stored engine state: a new one";
      api::SetCondition(&status.conditions,
                        {kEngineStateValid, "True", reason, message, "", p.metadata.generation},
                        clock_->Now());
    }
    if (!rt.state) rt.state = policy::PolicyState{};
  }

  // The target and its pods.
  auto workload = kube_->GetWorkload(target.kind, ns, target.name);
  std::vector<Json> pods;
  if (!workload.ok()) {
    const bool missing = workload.error().http_status == 404;
    api::SetCondition(&status.conditions,
                      {"TargetFound", "False", missing ? "NotFound" : "ReadFailed",
                       target.kind + " " + target.name + ": " + workload.error().message, "",
                       p.metadata.generation},
                      clock_->Now());
    if (status.phase.empty()) status.phase = "Pending";
    (void)Persist(&object, p, rt, status);
    return missing ? kube::ReconcileResult::Done()
                   : kube::ReconcileResult::FromError(workload.error());
  }
  api::SetCondition(&status.conditions,
                    {"TargetFound", "True", "Found", target.kind + " " + target.name, "",
                     p.metadata.generation},
                    clock_->Now());
  {
    const auto selector = LabelSelectorString((*workload)["spec"].value("selector", Json()));
    auto listed = kube_->ListPods(ns, selector);
    if (!listed.ok()) return kube::ReconcileResult::FromError(listed.error());
    pods = std::move(*listed);
  }
  QueryContext context{ns, target.name, PodRegex(target.name, pods)};
  const auto policy_spec = ToPolicySpec(p, context);

  // Signals: query, detect.
  policy::Observation observation;
  observation.workload = FactsOf(*workload, pods);
  const auto now = clock_->Now();
  int failed_queries = 0;   // Prometheus could not be asked or did not answer
  int invalid_queries = 0;  // it answered, and the query is what is wrong
  std::string prometheus_error;
  std::pair<std::string, std::string> query_problem;  // reason, message
  // Every query of this evaluation ends by the policy's interval (at least a second), so one
  // slow Prometheus cannot hold a worker for longer than the policy's own rhythm.
  const auto evaluation_deadline =
      now + std::max<Clock::Duration>(std::chrono::seconds(1), p.spec.interval);
  const auto timeout_left = [&]() -> std::chrono::milliseconds {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(evaluation_deadline - clock_->Now());
    if (left < std::chrono::milliseconds(100)) return std::chrono::milliseconds(0);
    return std::min(options_.query_timeout, left);
  };
  const auto budget_spent = [&] {
    return Error::Retryable("Timeout", "not asked: this evaluation spent its query time (" +
                                           api::FormatDuration(p.spec.interval) +
                                           ", the policy's interval)");
  };
  status.signals.clear();
  for (size_t i = 0; i < p.spec.signals.size(); ++i) {
    const auto& signal = p.spec.signals[i];
    policy::SignalObservation obs;
    obs.name = signal.name;
    obs.query = policy_spec.signals[i].query;
    api::SignalStatus ss;
    ss.name = signal.name;
    if (!rt.detectors->Has(signal.name)) {
      obs.available = false;
      ss.error = "detector: " + rt.detectors->BuildError(signal.name);
    } else {
      if (!rt.detectors->Warmed(signal.name)) {
        prom::RangeQuery warm{obs.query, now - options_.warm_window, now,
                              std::chrono::duration_cast<std::chrono::milliseconds>(
                                  p.spec.interval),
                              options_.query_timeout};
        warm.timeout = timeout_left();
        auto history = warm.timeout.count() > 0 ? prometheus_->QueryRange(warm)
                                                : Result<prom::QueryResult>(budget_spent());
        if (history.ok() && history->series.size() <= options_.max_series_per_signal) {
          // The live value is the largest of the series at each evaluation, so the history
          // replayed is the same: the largest at each step.
          for (const auto& [time, value] : LargestPerStep(*history)) {
            rt.detectors->Feed(signal.name, Seconds(time), value);
          }
          rt.detectors->MarkWarmed(signal.name);
        }
      }
      const auto timeout = timeout_left();
      auto result = timeout.count() > 0
                        ? prometheus_->Query({obs.query, std::nullopt, timeout})
                        : Result<prom::QueryResult>(budget_spent());
      std::optional<double> value;
      if (!result.ok() && prom::IsQueryError(result.error())) {
        ++invalid_queries;
        const bool too_large = result.error().code == "ResponseTooLarge";
        query_problem = std::make_pair(std::string(too_large ? "ResponseTooLarge" : "InvalidQuery"),
                                       signal.name + ": " + result.error().ToString());
        ss.error = "query rejected: " + result.error().ToString();
      } else if (!result.ok()) {
        ++failed_queries;
        metrics_->PrometheusError();
        prometheus_error = result.error().ToString();
        ss.error = "query failed: " + result.error().ToString();
      } else if (result->series.size() > options_.max_series_per_signal) {
        ++invalid_queries;
        ss.error = "query returned " + std::to_string(result->series.size()) +
                   " series, over the limit of " + std::to_string(options_.max_series_per_signal) +
                   " per signal (--max-series-per-signal): aggregate it (sum/max by) to the "
                   "target's series";
        query_problem = std::make_pair(std::string("TooManySeries"), signal.name + ": " + ss.error);
      } else {
        value = PickValue(*result);
        if (!value) ss.error = "query returned no value";
      }
      if (!value) {
        obs.available = false;
      } else {
        const auto a = rt.detectors->Feed(signal.name, Seconds(now), *value);
        obs.value = *value;
        obs.expected_low = a.low;
        obs.expected_high = a.high;
        obs.score = a.score;
        obs.severity = ToPolicySeverity(a.severity);
        obs.anomalous = a.anomalous;
        obs.explanation = a.explanation;
        ss.value = *value;
        ss.low = Finite(a.low);
        ss.high = Finite(a.high);
        ss.score = std::isfinite(a.score) ? a.score : 0;
        ss.severity = std::string(detectors::SeverityName(a.severity));
        ss.confidence = std::isfinite(a.confidence) ? a.confidence : 0;
        ss.anomalous = a.anomalous;
        ss.explanation = a.explanation;
        metrics_->AnomalyScore(key, signal.name, ss.score);
      }
      metrics_->SignalObserved(key, signal.name, value, value ? ss.low : std::nullopt,
                               value ? ss.high : std::nullopt);
    }
    for (const auto& hold : rt.state->holds) {
      if (hold.signal == signal.name && ss.anomalous) ss.anomalous_since = FormatRfc3339(hold.anomalous_since);
    }
    observation.signals.push_back(std::move(obs));
    status.signals.push_back(std::move(ss));
  }
  // Signals derived from others (multivariate forests, the SLO burn rate), once all are fed.
  std::vector<std::pair<std::optional<double>, double>> fed;
  for (const auto& ss : status.signals) fed.emplace_back(ss.value, ss.score);
  rt.detectors->EvaluateDerived(*prometheus_, options_.query_timeout, context, Seconds(now),
                                &observation, &status.signals);
  // Derived entries (added, or completed after the loop above) get their metrics and
  // anomalousSince here, like the signals fed directly.
  for (size_t i = 0; i < status.signals.size(); ++i) {
    auto& ss = status.signals[i];
    if (i < fed.size() && fed[i] == std::make_pair(ss.value, ss.score)) continue;
    metrics_->AnomalyScore(key, ss.name, ss.score);
    metrics_->SignalObserved(key, ss.name, ss.value, ss.value ? ss.low : std::nullopt,
                             ss.value ? ss.high : std::nullopt);
    for (const auto& hold : rt.state->holds) {
      if (hold.signal == ss.name && ss.anomalous) {
        ss.anomalous_since = FormatRfc3339(hold.anomalous_since);
      }
    }
  }
  if (failed_queries > 0) {
    api::SetCondition(&status.conditions,
                      {"PrometheusAvailable", "False", "QueryFailed",
                       std::to_string(failed_queries) + " of " +
                           std::to_string(p.spec.signals.size()) +
                           " queries failed, no action is taken on unknown signals: " +
                           prometheus_error,
                       "", p.metadata.generation},
                      now);
  } else {
    api::SetCondition(&status.conditions,
                      {"PrometheusAvailable", "True", "QueriesSucceeded",
                       "Prometheus answered every signal query", "", p.metadata.generation},
                      now);
  }
  if (invalid_queries > 0) {
    api::SetCondition(&status.conditions,
                      {"QueriesValid", "False", query_problem.first,
                       std::to_string(invalid_queries) + " of " +
                           std::to_string(p.spec.signals.size()) +
                           " signal queries cannot be used, no action is taken on them: " +
                           query_problem.second,
                       "", p.metadata.generation},
                      now);
  } else if (failed_queries == 0) {
    api::SetCondition(&status.conditions,
                      {"QueriesValid", "True", "QueriesValid",
                       "every signal query returned a usable value or none", "",
                       p.metadata.generation},
                      now);
  }

  // The related policies: a dependency's (or a caller's) own anomaly explains this one's.
  observation.related = RelatedOf(p);
  observation.related_grace = options_.related_grace;

  // Decisions an earlier process recorded and did not finish are finished first.
  std::set<std::string> acted_now;  // decision ids carried out by this evaluation
  if (rt.resume_pending) {
    rt.resume_pending = false;
    acted_now = ResumePending(key, object, *rt.state, ActionTarget{&p, *workload, pods});
  }

  // Decide. The state as it was, to go back to if the decisions cannot be recorded.
  const policy::PolicyState state_before = *rt.state;
  const auto tags_before = rt.scenario_tags;
  const auto detected_before = rt.state->last_detected_at;
  auto evaluation = engine_->Evaluate(policy_spec, observation, *rt.state);
  if (!evaluation.ok()) {
    api::SetCondition(&status.conditions,
                      {"SpecValid", "False", evaluation.error().code, evaluation.error().message,
                       "", p.metadata.generation},
                      now);
    if (status.phase.empty()) status.phase = "Pending";
    (void)Persist(&object, p, rt, status);
    return kube::ReconcileResult::FromError(evaluation.error());
  }
  if (rt.state->last_detected_at && rt.state->last_detected_at != detected_before) {
    std::string signal_name;
    for (const auto& s : status.signals) {
      if (s.anomalous && signal_name.empty()) signal_name = s.name;
    }
    // A crash or not-ready detection comes from the workload's pods, not from a signal: name
    // what the decision's evidence names (crashingPods, notReadyPods).
    for (const auto& d : evaluation->decisions) {
      for (const auto& e : d.evidence) {
        if (signal_name.empty() && !e.signal.empty()) signal_name = e.signal;
      }
    }
    if (signal_name.empty()) signal_name = "workload";
    metrics_->Detection(key, signal_name);
    const std::string scenario = scenarios_->ActiveFor(key);
    Log().Info("anomaly detected", {{"policy", key}, {"signal", signal_name},
                                    {"scenario", scenario}});
    (void)kube_->RecordEvent(object, "Warning", "AnomalyDetected",
                             "anomaly on signal " + signal_name +
                                 (scenario.empty() ? "" : " during FaultScenario " + scenario));
  }
  board_.Update(ns, p.metadata.name, p.spec.depends_on,
                OwnAnomalies(policy_spec, observation, status.signals, now), now);
  RecordWaiting(object, *evaluation, &status);
  status.phase = policy::PhaseName(evaluation->phase);
  const bool anomalous = evaluation->phase == policy::Phase::kAnomalous ||
                         evaluation->phase == policy::Phase::kRemediating ||
                         evaluation->phase == policy::Phase::kExhausted;
  std::string notes;
  for (const auto& n : evaluation->notes) notes += (notes.empty() ? "" : "; ") + n;
  api::SetCondition(&status.conditions,
                    {"Anomalous", anomalous ? "True" : "False",
                     anomalous ? "AnomalyHeld" : "SignalsNormal",
                     notes.empty() ? (anomalous ? "an anomaly holds" : "all signals normal") : notes,
                     "", p.metadata.generation},
                    now);
  const std::string scenario = scenarios_->ActiveFor(key);
  status.active_scenario = anomalous ? scenario : "";
  status.last_evaluation_time = FormatRfc3339(now);

  // Record every decision before acting on it.
  for (const auto& d : evaluation->decisions) {
    if (!scenario.empty()) rt.scenario_tags[d.id] = scenario;
  }
  FillStatusFromState(rt, &status);
  if (!evaluation->decisions.empty()) {
    for (const auto& d : evaluation->decisions) {
      const std::string action = d.revert ? std::string("revert ") + policy::ActionTypeName(d.action)
                                          : policy::ActionTypeName(d.action);
      const std::string message = (d.dry_run ? "dry run, would " : "") + action + " (rule " +
                                  d.rule + "): " + d.reason;
      (void)kube_->RecordEvent(object, d.dry_run ? "Normal" : "Warning",
                               d.dry_run ? "DryRunAction" : "HealingAction", message);
      (void)kube_->RecordEvent(*workload, d.dry_run ? "Normal" : "Warning",
                               d.dry_run ? "DryRunAction" : "HealingAction",
                               message + " [HealingPolicy " + p.metadata.name + "]");
    }
    auto written = Persist(&object, p, rt, status);
    if (!written.ok()) {
      // Nothing is executed that is not on record. The decisions are taken back (state and
      // budget as before this evaluation), so the next evaluation decides the same rung again:
      // a failed write is not a failed action and must not escalate the ladder.
      engine_->Undo(state_before, *rt.state);
      rt.scenario_tags = tags_before;
      Log().Warn("decisions not recorded, so not executed; decided again at the next evaluation",
                 {{"policy", key}, {"decisions", static_cast<int64_t>(evaluation->decisions.size())},
                  {"error", written.error().ToString()}});
      return kube::ReconcileResult::FromError(written.error());
    }
    HitFailpoint(options_.failpoint, "after-action-recorded");
    ActionTarget action_target{&p, *workload, pods};
    for (const auto& d : evaluation->decisions) {
      const std::string action_name = ActionMetricName(d);
      if (d.dry_run) {
        metrics_->Action(action_name, "dry_run");
        continue;
      }
      auto done = executor_->Execute(d, action_target);
      const auto outcome = done.ok() ? policy::Outcome::kSucceeded : policy::Outcome::kFailed;
      const std::string message = done.ok() ? *done : done.error().ToString();
      (void)engine_->ReportOutcome(*rt.state, d.id, outcome, message);
      metrics_->Action(action_name, done.ok() ? "succeeded" : "failed");
      Log().Info("action", {{"policy", key}, {"action", action_name}, {"rule", d.rule},
                            {"ok", done.ok()}, {"message", message}});
      if (!done.ok()) {
        (void)kube_->RecordEvent(object, "Warning", "ActionFailed", action_name + ": " + message);
      }
    }
    HitFailpoint(options_.failpoint, "after-action-executed");
    FillStatusFromState(rt, &status);
  }
  for (const auto& d : evaluation->decisions) acted_now.insert(d.id);
  RenewEffects(key, p, *rt.state, acted_now, ActionTarget{&p, *workload, pods});
  auto written = Persist(&object, p, rt, status);
  if (!written.ok()) return kube::ReconcileResult::FromError(written.error());
  return kube::ReconcileResult::Done();
}

std::set<std::string> HealingPolicyReconciler::ResumePending(const std::string& key,
                                                             const Json& object,
                                                             policy::PolicyState& state,
                                                             const ActionTarget& target) {
  // An entry without an outcome was recorded by an earlier process (the record comes before the
  // action), which stopped before it reported the outcome: between recording and acting, or
  // between acting and the next write. Its decision id is the idempotency key: it is carried out
  // once more (ActionExecutor::Resume never doubles what already ran) and gets its outcome, so
  // a new leader neither repeats an action nor skips one its predecessor only decided.
  std::vector<policy::Decision> pending;
  std::set<std::string> resumed;
  for (const auto& h : state.history) {
    if (h.outcome == policy::Outcome::kPending && !h.decision.dry_run) pending.push_back(h.decision);
  }
  for (const auto& d : pending) {
    resumed.insert(d.id);
    const std::string action_name = ActionMetricName(d);
    auto done = executor_->Resume(d, target);
    const std::string message =
        "resumed from an earlier process: " + (done.ok() ? *done : done.error().ToString());
    (void)engine_->ReportOutcome(state, d.id, done.ok() ? policy::Outcome::kSucceeded
                                                        : policy::Outcome::kFailed,
                                 message);
    metrics_->Action(action_name, done.ok() ? "succeeded" : "failed");
    Log().Info("resumed decision", {{"policy", key}, {"decision", d.id},
                                    {"action", action_name}, {"ok", done.ok()},
                                    {"message", message}});
    (void)kube_->RecordEvent(object, done.ok() ? "Normal" : "Warning", "ActionResumed",
                             action_name + " (decision " + d.id + "): " + message);
  }
  return resumed;
}

void HealingPolicyReconciler::RenewEffects(const std::string& key, const api::HealingPolicy& p,
                                           const policy::PolicyState& state,
                                           const std::set<std::string>& just_applied,
                                           const ActionTarget& target) {
  // The throttles and circuits in effect (not those this evaluation applied) are sent again:
  // their agent-side ttl is short, so they end by themselves once no operator renews them.
  // Pods that came up since get them too.
  for (const auto& ep : state.episodes) {
    for (const auto& t : ep.temporaries) {
      if (!ActionExecutor::Renewable(t) || just_applied.count(t.decision_id) > 0) continue;
      auto renewed = executor_->Renew(t, target);
      if (renewed.ok()) {
        Log().Debug("renewed", {{"policy", key}, {"action", policy::ActionTypeName(t.action)},
                                {"decision", t.decision_id}, {"message", *renewed}});
      } else {
        Log().Warn("renewal failed; the agents end it by themselves at its ttl",
                   {{"policy", key}, {"action", policy::ActionTypeName(t.action)},
                    {"decision", t.decision_id}, {"ttl_seconds",
                                                  static_cast<int64_t>(executor_->EffectTtl(p).count())},
                    {"error", renewed.error().ToString()}});
      }
    }
  }
}

std::vector<policy::RelatedPolicy> HealingPolicyReconciler::RelatedOf(
    const api::HealingPolicy& p) {
  const auto& ns = p.metadata.namespace_;
  auto related = board_.Related(ns, p.metadata.name, p.spec.depends_on);
  // A dependency this process has not evaluated yet (a new leader's first interval) speaks
  // through its status: the anomalous signals of a recent evaluation that was not waiting.
  for (const auto& dep : p.spec.depends_on) {
    if (board_.Knows(ns, dep)) continue;
    auto object = kube_->GetCustom(kKind, ns, dep);
    if (!object.ok()) continue;
    auto other = api::HealingPolicyFromJson(*object);
    if (!other.ok()) continue;
    const auto& st = other->status;
    const auto evaluated = ParseRfc3339(st.last_evaluation_time);
    if (!evaluated || clock_->Now() - *evaluated > 3 * other->spec.interval) continue;
    if (const auto* w = api::FindCondition(st.conditions, kWaitingOnDependency);
        w != nullptr && w->status == "True") {
      continue;
    }
    policy::RelatedPolicy r{dep, policy::Relation::kDependency, {}};
    for (const auto& s : st.signals) {
      if (!s.anomalous) continue;
      auto pattern = policy::Pattern::kCustom;
      for (const auto& spec_signal : other->spec.signals) {
        if (spec_signal.name == s.name) pattern = policy::ParsePattern(spec_signal.pattern).value_or(pattern);
      }
      r.anomalies.push_back({pattern, *evaluated, SignalSummary(s)});
    }
    if (!r.anomalies.empty()) related.push_back(std::move(r));
  }
  return related;
}

void HealingPolicyReconciler::RecordWaiting(const Json& object,
                                            const policy::Evaluation& evaluation,
                                            api::HealingPolicyStatus* status) {
  status->waiting_on.clear();
  std::string message;
  for (const auto& w : evaluation.waiting) {
    status->waiting_on.push_back({w.because.policy, policy::RelationName(w.because.relation),
                                  w.rule, policy::Describe(w.because)});
    message += (message.empty() ? "" : "; ") + std::string("rule ") + w.rule +
               " takes no action while " + policy::Describe(w.because);
  }
  const bool waiting = !status->waiting_on.empty();
  const auto* before = api::FindCondition(status->conditions, kWaitingOnDependency);
  const bool was_waiting = before != nullptr && before->status == "True";
  api::SetCondition(&status->conditions,
                    {kWaitingOnDependency, waiting ? "True" : "False",
                     waiting ? "RelatedPolicyAnomalous" : "NoRelatedAnomaly",
                     waiting ? message : "no anomaly of this policy is explained by another",
                     "", status->observed_generation},
                    clock_->Now());
  if (waiting && !was_waiting) {
    (void)kube_->RecordEvent(object, "Normal", kWaitingOnDependency, message);
    Log().Info("waiting on a related policy", {{"policy", api::TextOr(object["metadata"], "namespace") +
                                                              "/" + api::TextOr(object["metadata"], "name")},
                                               {"reason", message}});
  }
}

void HealingPolicyReconciler::FillStatusFromState(const PolicyRuntime& rt,
                                                  api::HealingPolicyStatus* status) const {
  const auto& st = *rt.state;
  status->history.clear();
  std::map<std::string, const policy::HistoryEntry*> by_id;
  for (const auto& h : st.history) {
    by_id[h.decision.id] = &h;
    api::ActionRecord r;
    r.time = FormatRfc3339(h.decision.decided_at);
    r.action = h.decision.revert ? "revert" : policy::ActionTypeName(h.decision.action);
    r.rule = h.decision.rule;
    r.result = ResultName(h);
    r.dry_run = h.decision.dry_run;
    r.message = (h.decision.revert ? std::string("revert ") +
                                         policy::ActionTypeName(h.decision.action) + ": "
                                   : std::string()) +
                h.decision.reason + (h.message.empty() ? "" : " -> " + h.message);
    auto tag = rt.scenario_tags.find(h.decision.id);
    if (tag != rt.scenario_tags.end()) r.scenario = tag->second;
    for (const auto& e : h.decision.evidence) {
      r.evidence.push_back({e.signal, e.query, Finite(e.value), Finite(e.expected_low),
                            Finite(e.expected_high), std::isfinite(e.score) ? e.score : 0,
                            policy::SeverityName(e.severity)});
    }
    status->AddHistory(std::move(r));
  }
  status->active_actions.clear();
  status->ladder.reset();
  for (const auto& ep : st.episodes) {
    for (const auto& t : ep.temporaries) {
      api::ActiveAction a;
      a.action = policy::ActionTypeName(t.action);
      auto h = by_id.find(t.decision_id);
      if (h != by_id.end()) a.since = FormatRfc3339(h->second->decision.decided_at);
      if (t.action == policy::ActionType::kScale) a.previous_replicas = t.parameters.from_replicas;
      status->active_actions.push_back(std::move(a));
    }
    if (!status->ladder && !ep.exhausted) {
      status->ladder = api::LadderState{ep.rule, std::max(ep.rung, 0),
                                        ep.verify_at ? FormatRfc3339(*ep.verify_at) : ""};
    }
  }
  status->actions_last_hour = static_cast<int64_t>(st.recent_actions.size());
}

Status HealingPolicyReconciler::Persist(Json* object, const api::HealingPolicy& p,
                                        PolicyRuntime& rt,
                                        const api::HealingPolicyStatus& status) {
  Json tags = Json::object();
  for (const auto& [id, scenario] : rt.scenario_tags) tags[id] = scenario;
  Json wanted = api::ToJson(status);
  wanted["engineState"] = {{"engine", policy::PolicyStateToJson(*rt.state)}, {"scenarioTags", tags}};
  const auto& ns = p.metadata.namespace_;
  const auto& name = p.metadata.name;
  if (!status.phase.empty()) metrics_->PolicyPhase(ns + "/" + name, status.phase);
  // An earlier version's annotation goes once the status holds the state (and again if someone
  // writes it back: it is never read while the status has a state). Failing to remove it is
  // logged, never a failed write: the state is safe in the status, and the decisions recorded
  // there must still be carried out.
  auto drop_annotation = [&]() -> Status {
    const auto& annotations = (*object)["metadata"].value("annotations", Json::object());
    if (!annotations.contains(kEngineStateAnnotation)) return Status::Ok();
    auto patched = kube_->PatchCustomMetadata(kKind, ns, name,
                                              {{"annotations", {{kEngineStateAnnotation, nullptr}}}});
    if (!patched.ok()) {
      Log().Warn("engine-state annotation not removed",
                 {{"policy", ns + "/" + name}, {"error", patched.error().ToString()}});
      return Status::Ok();
    }
    *object = std::move(*patched);
    return Status::Ok();
  };
  for (int attempt = 0; attempt < 2; ++attempt) {
    const bool refresh_due = !rt.status_written || options_.status_refresh.count() == 0 ||
                             clock_->SteadyNow() - *rt.status_written >= options_.status_refresh;
    if (!refresh_due && object->contains("status") &&
        WithoutLiveFigures((*object)["status"]) == WithoutLiveFigures(wanted)) {
      return drop_annotation();
    }
    (*object)["status"] = wanted;
    auto updated = kube_->UpdateCustomStatus(kKind, *object);
    if (updated.ok()) {
      *object = std::move(*updated);
      rt.status_written = clock_->SteadyNow();
      return drop_annotation();
    }
    if (updated.error().http_status != 409) return updated.error();
    auto fresh = kube_->GetCustom(kKind, ns, name);
    if (!fresh.ok()) return fresh.error();
    *object = std::move(*fresh);
  }
  return Error::Retryable("Conflict", "HealingPolicy " + ns + "/" + name +
                                          " kept changing while its status was written", 409);
}

}  // namespace kubeheal::controllers
