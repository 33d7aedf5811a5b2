#include "kubeheal/controllers/healing_policy_reconciler.h"

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <map>
#include <set>
#include <sstream>

#include "kubeheal/api/duration.h"
#include "kubeheal/common/logger.h"
#include "kubeheal/controllers/policy_translation.h"
#include "kubeheal/policy/explanation.h"
#include "signal_conversions.h"

namespace kubeheal::controllers {
namespace {

constexpr const char* kKind = "HealingPolicy";

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
    case policy::Outcome::kPending:
      return "Pending";
    case policy::Outcome::kSucceeded:
      return h.decision.revert ? "Reverted" : "Succeeded";
    case policy::Outcome::kFailed:
      return "Failed";
  }
  return "Pending";
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
    add(policy::Pattern::kCrash,
        std::to_string(observation.workload.crashing_pods) + " pods in CrashLoopBackOff");
  }
  if (observation.workload.not_ready_pods > 0) {
    add(policy::Pattern::kNotReady,
        std::to_string(observation.workload.not_ready_pods) + " pods not ready");
  }
  return own;
}

}  // namespace

std::pair<std::string, std::string> SplitKey(const std::string& key) {
  const auto slash = key.find('/');
  if (slash == std::string::npos) return {"", key};
  return {key.substr(0, slash), key.substr(slash + 1)};
}

HealingPolicyReconciler::HealingPolicyReconciler(
    std::shared_ptr<KubeOperations> kube, std::shared_ptr<prom::PrometheusClient> prometheus,
    std::shared_ptr<policy::DecisionEngine> engine, std::shared_ptr<ActionExecutor> executor,
    std::shared_ptr<ScenarioRegistry> scenarios, std::shared_ptr<OperatorMetrics> metrics,
    std::shared_ptr<Clock> clock, std::shared_ptr<RandomSource> random,
    HealingPolicyReconcilerOptions options)
    // The parts below are built from the members above (declared first), not from the
    // moved-from parameters.
    : kube_(std::move(kube)),
      engine_(std::move(engine)),
      scenarios_(std::move(scenarios)),
      metrics_(std::move(metrics)),
      clock_(std::move(clock)),
      random_(std::move(random)),
      options_(std::move(options)),
      store_(kube_, engine_, metrics_, clock_, options_.status_refresh),
      sampler_(std::move(prometheus), metrics_, clock_,
               SignalSamplerOptions{options_.warm_window, options_.query_timeout,
                                    options_.max_series_per_signal}),
      recorder_(kube_, metrics_, clock_),
      actuator_(std::move(executor), engine_, kube_, metrics_, options_.failpoint) {}

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
  const double jitter = options_.interval_jitter * (2 * (random_ ? random_->Uniform01() : 0.5) - 1);
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
    rt.detectors =
        std::make_unique<PolicyDetectors>(parsed->spec, object->value("spec", Json::object())
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
  const auto interval =
      rt.evaluated ? std::chrono::duration_cast<std::chrono::nanoseconds>(parsed->spec.interval)
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
  metrics_->PolicyPhase(
      object["metadata"].value("namespace", "") + "/" + object["metadata"].value("name", ""),
      status.phase);
  object["status"] = api::ToJson(status);
  (void)kube_->UpdateCustomStatus(kKind, object);
  (void)kube_->RecordEvent(object, "Warning", "InvalidSpec", error.message);
  Log().Warn("invalid HealingPolicy", {{"policy", object["metadata"].value("namespace", "") + "/" +
                                                      object["metadata"].value("name", "")},
                                       {"error", error.message}});
  return kube::ReconcileResult::FromError(error);
}

// An evaluation is five steps (docs/architecture.md "The loop"): the state (PolicyStateStore),
// the target, the signals (SignalSampler), the decision (the engine) with its record
// (DecisionRecorder, then the status write) and the act (PolicyActuator).
kube::ReconcileResult HealingPolicyReconciler::Evaluate(const std::string& key, Json object,
                                                        api::HealingPolicy& p, PolicyRuntime& rt) {
  auto status = p.status;
  status.observed_generation = p.metadata.generation;
  api::SetCondition(&status.conditions,
                    {"SpecValid", "True", "Valid", "spec accepted", "", p.metadata.generation},
                    clock_->Now());
  // In memory, else from the status (operator restarted), else new.
  if (!rt.state) rt.state = store_.Load(key, object, p.metadata.generation, &status.conditions);

  auto workload = ReadTarget(p, &status);
  if (!workload.ok()) {
    if (status.phase.empty()) status.phase = "Pending";
    (void)store_.Persist(&object, *rt.state, status);
    return workload.error().http_status == 404 ? kube::ReconcileResult::Done()
                                               : kube::ReconcileResult::FromError(workload.error());
  }
  auto pods = kube_->ListPods(p.metadata.namespace_,
                              LabelSelectorString((*workload)["spec"].value("selector", Json())));
  if (!pods.ok()) return kube::ReconcileResult::FromError(pods.error());
  const ActionTarget target{&p, std::move(*workload), std::move(*pods)};

  const QueryContext context{p.metadata.namespace_, p.spec.target_ref.name,
                             PodRegex(p.spec.target_ref.name, target.pods)};
  const auto spec = ToPolicySpec(p, context);
  auto sample = sampler_.Sample(key, p, spec, context, *rt.detectors, rt.state->engine.holds);
  SetQueryConditions(sample, p.spec.signals.size(), p.metadata.generation, sample.at,
                     &status.conditions);
  status.signals = std::move(sample.statuses);
  policy::Observation observation = std::move(sample.observation);
  observation.workload = FactsOf(target.workload, target.pods);
  // The related policies: a dependency's (or a caller's) own anomaly explains this one's.
  observation.related = RelatedOf(p);
  observation.related_grace = options_.related_grace;

  // Decisions an earlier process recorded and did not finish are finished first.
  std::set<std::string> acted_now;  // decision ids carried out by this evaluation
  if (rt.state->restored) {
    rt.state->restored = false;
    acted_now = actuator_.Resume(key, object, rt.state->engine, target);
  }
  auto decided =
      DecideAndAct(key, &object, p, *rt.state, spec, observation, target, sample.at, &status);
  if (!decided.ok()) return kube::ReconcileResult::FromError(decided.error());
  for (const auto& id : *decided) acted_now.insert(id);
  actuator_.Renew(key, p, rt.state->engine, acted_now, target);
  auto written = store_.Persist(&object, *rt.state, status);
  if (!written.ok()) return kube::ReconcileResult::FromError(written.error());
  return kube::ReconcileResult::Done();
}

Result<Json> HealingPolicyReconciler::ReadTarget(const api::HealingPolicy& p,
                                                 api::HealingPolicyStatus* status) {
  const auto& target = p.spec.target_ref;
  auto workload = kube_->GetWorkload(target.kind, p.metadata.namespace_, target.name);
  if (!workload.ok()) {
    const bool missing = workload.error().http_status == 404;
    api::SetCondition(&status->conditions,
                      {"TargetFound", "False", missing ? "NotFound" : "ReadFailed",
                       target.kind + " " + target.name + ": " + workload.error().message, "",
                       p.metadata.generation},
                      clock_->Now());
    return workload.error();
  }
  api::SetCondition(
      &status->conditions,
      {"TargetFound", "True", "Found", target.kind + " " + target.name, "", p.metadata.generation},
      clock_->Now());
  return workload;
}

Result<std::set<std::string>> HealingPolicyReconciler::DecideAndAct(
    const std::string& key, Json* object, const api::HealingPolicy& p, PolicyEngineState& state,
    const policy::PolicySpec& spec, const policy::Observation& observation,
    const ActionTarget& target, Clock::TimePoint now, api::HealingPolicyStatus* status) {
  // The state as it was, to go back to if the decisions cannot be recorded.
  const PolicyEngineState before = state;
  auto evaluation = engine_->Evaluate(spec, observation, state.engine);
  if (!evaluation.ok()) {
    api::SetCondition(&status->conditions,
                      {"SpecValid", "False", evaluation.error().code, evaluation.error().message,
                       "", p.metadata.generation},
                      now);
    if (status->phase.empty()) status->phase = "Pending";
    (void)store_.Persist(object, state, *status);
    return evaluation.error();
  }
  const std::string scenario = scenarios_->ActiveFor(key);
  if (state.engine.last_detected_at &&
      state.engine.last_detected_at != before.engine.last_detected_at) {
    recorder_.Detected(key, *object, status->signals, *evaluation, scenario);
  }
  board_.Update(p.metadata.namespace_, p.metadata.name, p.spec.depends_on,
                OwnAnomalies(spec, observation, status->signals, now), now);
  recorder_.Waiting(*object, *evaluation, status);
  status->phase = policy::PhaseName(evaluation->phase);
  const bool anomalous = recorder_.Anomalous(*evaluation, status);
  status->active_scenario = anomalous ? scenario : "";
  status->last_evaluation_time = FormatRfc3339(now);

  std::set<std::string> decided;
  for (const auto& d : evaluation->decisions) {
    if (!scenario.empty()) state.scenario_tags[d.id] = scenario;
    decided.insert(d.id);
  }
  FillStatusFromState(state, status);
  if (evaluation->decisions.empty()) return decided;
  // Every decision is on record (Events, then the status with the engine state) before it is
  // carried out. Nothing is executed that is not on record: when the write fails the decisions
  // are taken back (state and budget as before this evaluation), so the next evaluation decides
  // the same rung again; a failed write is not a failed action and must not escalate the ladder.
  recorder_.Decisions(*object, target.workload, p.metadata.name, evaluation->decisions);
  auto written = store_.Persist(object, state, *status);
  if (!written.ok()) {
    engine_->Undo(before.engine, state.engine);
    state.scenario_tags = before.scenario_tags;
    Log().Warn("decisions not recorded, so not executed; decided again at the next evaluation",
               {{"policy", key},
                {"decisions", static_cast<int64_t>(evaluation->decisions.size())},
                {"error", written.error().ToString()}});
    return written.error();
  }
  actuator_.Act(key, *object, evaluation->decisions, state.engine, target);
  FillStatusFromState(state, status);
  return decided;
}

std::vector<policy::RelatedPolicy> HealingPolicyReconciler::RelatedOf(const api::HealingPolicy& p) {
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
        if (spec_signal.name == s.name)
          pattern = policy::ParsePattern(spec_signal.pattern).value_or(pattern);
      }
      r.anomalies.push_back({pattern, *evaluated, SignalSummary(s)});
    }
    if (!r.anomalies.empty()) related.push_back(std::move(r));
  }
  return related;
}

void HealingPolicyReconciler::FillStatusFromState(const PolicyEngineState& state,
                                                  api::HealingPolicyStatus* status) const {
  const auto& st = state.engine;
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
    r.message = (h.decision.revert
                     ? std::string("revert ") + policy::ActionTypeName(h.decision.action) + ": "
                     : std::string()) +
                h.decision.reason + (h.message.empty() ? "" : " -> " + h.message);
    auto tag = state.scenario_tags.find(h.decision.id);
    if (tag != state.scenario_tags.end()) r.scenario = tag->second;
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

}  // namespace kubeheal::controllers
