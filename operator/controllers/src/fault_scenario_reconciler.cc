#include "kubeheal/controllers/fault_scenario_reconciler.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <functional>

#include "kubeheal/common/logger.h"
#include "kubeheal/controllers/healing_policy_reconciler.h"
#include "kubeheal/controllers/pod_kill_schedule.h"
#include "kubeheal/policy/state_json.h"

namespace kubeheal::controllers {
namespace {

constexpr const char* kKind = "FaultScenario";

double SecondsBetween(Clock::TimePoint from, Clock::TimePoint to) {
  return std::chrono::duration<double>(to - from).count();
}

std::string ShortDuration(double seconds) {
  return api::FormatDuration(api::Millis(static_cast<int64_t>(std::llround(seconds)) * 1000));
}

Clock::TimePoint ParseOr(const std::string& text, Clock::TimePoint fallback) {
  if (text.empty()) return fallback;
  auto t = api::ParseRfc3339(text);
  return t.ok() ? *t : fallback;
}

// The generator of a trafficSpike was scaled (its previous replicas are remembered).
bool SpikeApplied(const api::FaultScenario& sc) {
  for (const auto& fault : sc.spec.faults) {
    if (fault.type == "trafficSpike" &&
        sc.metadata.annotations.count(kSpikePreviousReplicasAnnotation) > 0) {
      return true;
    }
  }
  return false;
}

}  // namespace

FaultScenarioReconciler::FaultScenarioReconciler(std::shared_ptr<KubeOperations> kube,
                                                 std::shared_ptr<agentclient::AgentClient> agents,
                                                 std::shared_ptr<AgentTargets> targets,
                                                 std::shared_ptr<ScenarioRegistry> scenarios,
                                                 std::shared_ptr<OperatorMetrics> metrics,
                                                 std::shared_ptr<Clock> clock,
                                                 FaultScenarioReconcilerOptions options)
    : kube_(std::move(kube)),
      agents_(std::move(agents)),
      targets_(std::move(targets)),
      scenarios_(std::move(scenarios)),
      metrics_(std::move(metrics)),
      clock_(std::move(clock)),
      options_(options) {}

agentclient::AgentFault FaultScenarioReconciler::ToAgentFault(const api::FaultSpec& f,
                                                              const std::string& id,
                                                              double ttl_seconds) {
  agentclient::AgentFault a;
  a.id = id;
  a.type = f.type;
  a.ttl_seconds = ttl_seconds;
  if (!f.IsProcessFault()) a.percent = f.percent;
  if (f.type == "latency") {
    a.params = {{"delayMs", f.delay_ms}, {"jitterMs", f.jitter_ms}};
  } else if (f.type == "httpError") {
    a.params = {{"status", f.status}};
    if (!f.body.empty()) a.params["body"] = f.body;
  } else if (f.type == "cpuBurn") {
    a.params = {{"threads", f.threads}, {"dutyPercent", f.duty_percent}};
  } else if (f.type == "memoryLeak") {
    a.params = {{"mbPerSecond", f.mb_per_second}, {"capMb", f.cap_mb}};
  } else if (f.type == "crash") {
    a.params = {{"exitCode", f.exit_code}, {"delayMs", f.delay_ms}};
  }
  if (!f.match.is_null()) a.match = f.match;
  return a;
}

std::string FaultScenarioReconciler::FaultId(const api::FaultScenario& sc, size_t index) {
  // Agent ids are [A-Za-z0-9._-]{1,63}; the uid keeps two scenarios of one name apart.
  std::string base = sc.metadata.uid.empty() ? sc.metadata.name : sc.metadata.uid.substr(0, 13);
  std::string name = sc.metadata.name.substr(0, 30);
  std::string id = "ks-" + name + "-" + base + "-" + std::to_string(index);
  std::replace_if(id.begin(), id.end(), [](char c) {
    return !(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-');
  }, '-');
  return id.substr(0, 63);
}

std::vector<Json> FaultScenarioReconciler::ChooseTargets(const api::FaultScenarioSpec& spec,
                                                         std::vector<Json> pods,
                                                         const std::string& seed) {
  pods = AgentTargets::ReachablePods(pods);
  std::sort(pods.begin(), pods.end(), [](const Json& a, const Json& b) {
    return a["metadata"].value("name", "") < b["metadata"].value("name", "");
  });
  const size_t n = pods.size();
  if (n == 0) return {};
  size_t count = n;
  if (spec.mode == "one") count = 1;
  else if (spec.mode == "fixed") count = std::min<size_t>(n, static_cast<size_t>(spec.value));
  else if (spec.mode == "percent") {
    count = std::max<size_t>(1, static_cast<size_t>(std::ceil(n * spec.value / 100.0)));
    count = std::min(count, n);
  }
  const size_t offset = std::hash<std::string>{}(seed) % n;
  std::vector<Json> chosen;
  for (size_t i = 0; i < count; ++i) chosen.push_back(pods[(offset + i) % n]);
  return chosen;
}

Status FaultScenarioReconciler::WriteStatus(Json* object, const api::FaultScenarioStatus& status) {
  Json wanted = api::ToJson(status);
  // Renewals while injecting change nothing on record: no write, no API call.
  if (object->contains("status") && (*object)["status"] == wanted) return Status::Ok();
  (*object)["status"] = std::move(wanted);
  auto updated = kube_->UpdateCustomStatus(kKind, *object);
  if (!updated.ok()) return updated.error();
  *object = std::move(*updated);
  return Status::Ok();
}

kube::ReconcileResult FaultScenarioReconciler::Fail(Json object, api::FaultScenarioStatus status,
                                                    const std::string& reason,
                                                    const std::string& message) {
  status.phase = "Failed";
  if (status.end_time.empty()) status.end_time = FormatRfc3339(clock_->Now());
  api::SetCondition(&status.conditions, {"Ready", "False", reason, message}, clock_->Now());
  (void)kube_->RecordEvent(object, "Warning", reason, message);
  auto s = WriteStatus(&object, status);
  if (!s.ok()) return kube::ReconcileResult::FromError(s.error());
  return kube::ReconcileResult::Done();
}

Status FaultScenarioReconciler::Inject(api::FaultScenario& sc, Clock::TimePoint start) {
  const auto& ns = sc.metadata.namespace_;
  const auto now = clock_->Now();
  const auto end = start + sc.spec.duration;
  const double remaining = std::max(1.0, SecondsBetween(now, end));
  const double ttl = std::min(remaining, static_cast<double>(options_.fault_ttl.count()));
  bool needs_token = false;
  for (const auto& fault : sc.spec.faults) needs_token = needs_token || fault.IsAgentFault();
  // Only faults pushed to agents need the namespace's token (podKill, trafficSpike do not).
  auto token = needs_token ? targets_->Token(ns) : Result<std::string>(std::string());
  int injected = 0;
  std::string last_error;
  // Pods of the current targets, for IPs and ports.
  auto pods = kube_->ListPods(ns, sc.spec.LabelSelector());
  if (!pods.ok()) return pods.error();
  for (auto& target : sc.status.targets) {
    const Json* pod = nullptr;
    for (const auto& p : *pods) {
      if (p["metadata"].value("name", "") == target.pod) pod = &p;
    }
    target.error.clear();
    for (size_t i = 0; i < sc.spec.faults.size(); ++i) {
      const auto& fault = sc.spec.faults[i];
      if (fault.type == "podKill") {
        if (target.killed_at.empty() && pod != nullptr) {
          auto s = kube_->DeletePod(ns, target.pod, static_cast<int>(fault.grace_period_seconds));
          if (s.ok()) {
            target.killed_at = FormatRfc3339(now);
            target.injected = true;
          } else {
            target.error = s.error().message;
          }
        }
        continue;
      }
      if (!fault.IsAgentFault()) continue;
      if (!target.killed_at.empty()) continue;  // deleted by a podKill of this scenario
      if (pod == nullptr) {
        target.error = "pod gone";
        continue;
      }
      if (!token.ok()) {
        target.error = token.error().message;
        continue;
      }
      const auto agent = targets_->TargetFor(ns, *pod, *token);
      if (!agent) {
        target.error = "pod is not in namespace " + ns;
        continue;
      }
      const std::string id = FaultId(sc, i);
      auto pushed = agents_->PushFault(agent->endpoint, ToAgentFault(fault, id, ttl));
      if (pushed.ok()) {
        target.injected = true;
        if (std::find(target.fault_ids.begin(), target.fault_ids.end(), id) ==
            target.fault_ids.end()) {
          target.fault_ids.push_back(id);
        }
      } else {
        target.error = pushed.error().message;
        last_error = pushed.error().message;
      }
    }
    if (target.injected) ++injected;
  }
  // trafficSpike: scale the generator up once, remembering its replicas.
  for (const auto& fault : sc.spec.faults) {
    if (fault.type != "trafficSpike") continue;
    if (sc.metadata.annotations.count(kSpikePreviousReplicasAnnotation)) continue;
    auto current = kube_->GetReplicas("Deployment", ns, fault.generator);
    if (!current.ok()) return current.error();
    auto patched = kube_->PatchCustomMetadata(
        kKind, ns, sc.metadata.name,
        {{"annotations", {{kSpikePreviousReplicasAnnotation, std::to_string(*current)}}}});
    if (!patched.ok()) return patched.error();
    sc.metadata.annotations[kSpikePreviousReplicasAnnotation] = std::to_string(*current);
    auto s = kube_->SetReplicas("Deployment", ns, fault.generator, static_cast<int>(fault.replicas));
    if (!s.ok()) return s;
    ++injected;
  }
  if (injected == 0 && !token.ok()) return token.error();
  if (injected == 0 && !last_error.empty()) {
    return Error::Retryable("InjectionFailed", last_error);
  }
  return Status::Ok();
}

Status FaultScenarioReconciler::StartPodKillRounds(api::FaultScenario& sc, Json& object,
                                                  Clock::TimePoint start) {
  std::vector<api::ScenarioTarget> added;
  for (const auto& fault : sc.spec.faults) {
    if (fault.type != "podKill" || fault.interval.count() <= 0) continue;
    auto pods = kube_->ListPods(sc.metadata.namespace_, sc.spec.LabelSelector());
    if (!pods.ok()) return pods.error();
    for (const auto& kill : PodKillSchedule::Due(fault, sc.spec, sc.status.targets, *pods, start,
                                                 clock_->Now(),
                                                 sc.metadata.uid + sc.metadata.name)) {
      if (!kill.new_target) continue;
      api::ScenarioTarget t;
      t.pod = kill.pod;
      t.ip = kill.ip;
      added.push_back(t);
    }
  }
  if (added.empty()) return Status::Ok();
  std::string names;
  for (auto& t : added) {
    names += (names.empty() ? "" : ", ") + t.pod;
    sc.status.targets.push_back(std::move(t));
  }
  PodKillSchedule::Trim(&sc.status.targets);
  // Recorded before they are deleted (Inject deletes targets not killed yet).
  if (auto s = WriteStatus(&object, sc.status); !s.ok()) return s;
  (void)kube_->RecordEvent(object, "Normal", "PodKillRound", "deleting pods " + names);
  Log().Info("pod kill round", {{"scenario", sc.metadata.Key()}, {"pods", names}});
  return Status::Ok();
}

Status FaultScenarioReconciler::Cleanup(api::FaultScenario& sc) {
  const auto& ns = sc.metadata.namespace_;
  std::string failures;
  bool retryable = false;
  auto pods = kube_->ListPods(ns, sc.spec.LabelSelector());
  auto token = targets_->Token(ns);
  for (auto& target : sc.status.targets) {
    if (target.fault_ids.empty()) continue;
    const Json* pod = nullptr;
    if (pods.ok()) {
      for (const auto& p : *pods) {
        if (p["metadata"].value("name", "") == target.pod) pod = &p;
      }
    }
    if (pod == nullptr || !token.ok()) {
      // Gone pods took their faults with them; otherwise the expiry ends them.
      target.fault_ids.clear();
      continue;
    }
    const auto agent = targets_->TargetFor(ns, *pod, *token);
    if (!agent) {
      target.fault_ids.clear();
      continue;
    }
    std::vector<std::string> left;
    for (const auto& id : target.fault_ids) {
      auto s = agents_->ClearFault(agent->endpoint, id);
      if (!s.ok()) {
        if (s.error().retryable() && s.error().code != "AgentUnreachable") {
          left.push_back(id);
          retryable = true;
        }
        failures += (failures.empty() ? "" : "; ") + target.pod + ": " + s.error().message;
      }
    }
    target.fault_ids = left;
  }
  for (const auto& fault : sc.spec.faults) {
    if (fault.type != "trafficSpike") continue;
    auto it = sc.metadata.annotations.find(kSpikePreviousReplicasAnnotation);
    if (it == sc.metadata.annotations.end()) continue;
    int previous = 0;
    const auto& text = it->second;
    const auto parsed = std::from_chars(text.data(), text.data() + text.size(), previous);
    if (parsed.ec != std::errc() || parsed.ptr != text.data() + text.size() || previous < 0) {
      Log().Warn("annotation with the generator's previous replicas is not a count; not reverting",
                 {{"scenario", sc.metadata.Key()}, {"annotation", kSpikePreviousReplicasAnnotation},
                  {"value", text}});
      continue;
    }
    auto s = kube_->SetReplicas("Deployment", ns, fault.generator, previous);
    if (!s.ok() && s.error().http_status != 404) return s;
  }
  if (retryable) return Error::Retryable("CleanupFailed", failures);
  if (!failures.empty()) {
    Log().Warn("fault cleanup incomplete; the faults' expiry ends them",
               {{"scenario", sc.metadata.Key()}, {"errors", failures}});
  }
  return Status::Ok();
}

bool FaultScenarioReconciler::JudgeVerdict(api::FaultScenario& sc, Clock::TimePoint start,
                                           bool injection_over) {
  if (!sc.spec.expect) return true;
  auto& st = sc.status;
  if (!st.verdict.empty()) {
    // Also after an operator restart, the scenario's measured times are exported.
    metrics_->ScenarioTimes(sc.metadata.Key(), st.mttd_seconds, st.mttr_seconds);
    return true;
  }
  const auto& expect = *sc.spec.expect;
  const auto now = clock_->Now();
  auto object = kube_->GetCustom("HealingPolicy", sc.metadata.namespace_, expect.policy);
  std::optional<policy::PolicyState> state;
  if (object.ok()) state = ReadStoredEngineState(*object).state;
  if (state) {
    if (st.detected_time.empty() && state->last_detected_at && *state->last_detected_at >= start) {
      st.detected_time = FormatRfc3339(*state->last_detected_at);
      st.mttd_seconds = SecondsBetween(start, *state->last_detected_at);
      st.mttd = ShortDuration(*st.mttd_seconds);
    }
    if (!st.detected_time.empty() && st.recovered_time.empty() && state->last_recovered_at &&
        state->last_detected_at && *state->last_recovered_at >= *state->last_detected_at &&
        *state->last_recovered_at >= start) {
      st.recovered_time = FormatRfc3339(*state->last_recovered_at);
      st.mttr_seconds = SecondsBetween(start, *state->last_recovered_at);
      st.mttr = ShortDuration(*st.mttr_seconds);
    }
    for (const auto& h : state->history) {
      if (h.decision.decided_at < start || h.decision.revert) continue;
      std::string name = policy::ActionTypeName(h.decision.action);
      if (h.decision.dry_run) name += " (dryRun)";
      if (std::find(st.actions_observed.begin(), st.actions_observed.end(), name) ==
          st.actions_observed.end()) {
        st.actions_observed.push_back(name);
      }
    }
  }
  metrics_->ScenarioTimes(sc.metadata.Key(), st.mttd_seconds, st.mttr_seconds);
  auto verdict = [&](const std::string& v, const std::string& reason) {
    st.verdict = v;
    st.verdict_reason = reason;
    metrics_->Verdict(v);
    Log().Info("scenario verdict", {{"scenario", sc.metadata.Key()}, {"verdict", v},
                                    {"reason", reason}, {"mttd", st.mttd}, {"mttr", st.mttr}});
    return true;
  };
  const double detect_limit = std::chrono::duration<double>(expect.detect_within).count();
  const double heal_limit = std::chrono::duration<double>(expect.heal_within).count();
  const double elapsed = SecondsBetween(start, now);
  if (st.mttd_seconds && *st.mttd_seconds > detect_limit) {
    return verdict("Failed", "detected after " + st.mttd + ", expected within " +
                                 api::FormatDuration(expect.detect_within));
  }
  if (!st.mttd_seconds && elapsed > detect_limit) {
    return verdict("Failed", "HealingPolicy " + expect.policy + " did not detect the fault within " +
                                 api::FormatDuration(expect.detect_within) +
                                 (object.ok() ? "" : " (policy not readable: " +
                                                         object.error().message + ")"));
  }
  bool action_ok = expect.actions.empty();
  for (const auto& a : expect.actions) {
    if (std::find(st.actions_observed.begin(), st.actions_observed.end(), a) !=
        st.actions_observed.end()) {
      action_ok = true;
    }
  }
  if (st.mttr_seconds) {
    if (*st.mttr_seconds > heal_limit) {
      return verdict("Failed", "recovered after " + st.mttr + ", expected within " +
                                   api::FormatDuration(expect.heal_within));
    }
    if (!action_ok) {
      std::string wanted;
      for (const auto& a : expect.actions) wanted += (wanted.empty() ? "" : ", ") + a;
      return verdict("Failed", "recovered, but none of the expected actions (" + wanted +
                                   ") was taken");
    }
    return verdict("Passed", "detected in " + st.mttd + ", recovered in " + st.mttr);
  }
  if (elapsed > heal_limit && injection_over) {
    return verdict("Failed", "no recovery within " + api::FormatDuration(expect.heal_within));
  }
  return false;
}

kube::ReconcileResult FaultScenarioReconciler::Reconcile(const std::string& key) {
  const auto [ns, name] = SplitKey(key);
  auto object = kube_->GetCustom(kKind, ns, name);
  if (!object.ok()) {
    if (object.error().http_status == 404) {
      scenarios_->Clear(key);
      metrics_->ForgetScenario(key);
      return kube::ReconcileResult::Done();
    }
    return kube::ReconcileResult::FromError(object.error());
  }
  Json obj = std::move(*object);
  auto parsed = api::FaultScenarioFromJson(obj);
  if (!parsed.ok()) {
    auto status = api::FaultScenarioStatusFromJson(obj.value("status", Json::object()));
    if (status.phase == "Failed") return kube::ReconcileResult::Done();
    return Fail(obj, status, "InvalidSpec", parsed.error().message);
  }
  auto& sc = *parsed;
  const auto now = clock_->Now();

  if (sc.metadata.BeingDeleted()) {
    scenarios_->Clear(key);
    if (!sc.metadata.HasFinalizer(api::kFaultScenarioFinalizer)) return kube::ReconcileResult::Done();
    auto cleaned = Cleanup(sc);
    if (!cleaned.ok()) return kube::ReconcileResult::FromError(cleaned.error());
    Json finalizers = Json::array();
    for (const auto& f : sc.metadata.finalizers) {
      if (f != api::kFaultScenarioFinalizer) finalizers.push_back(f);
    }
    auto patched = kube_->PatchCustomMetadata(kKind, ns, name, {{"finalizers", finalizers}});
    if (!patched.ok() && patched.error().http_status != 404) {
      return kube::ReconcileResult::FromError(patched.error());
    }
    Log().Info("scenario deleted, faults cleared", {{"scenario", key}});
    return kube::ReconcileResult::Done();
  }

  auto& st = sc.status;
  const bool finished = st.phase == "Completed" || st.phase == "Failed";
  if (!finished) {
    const auto refused =
        policy::NamespaceRefusal(ns, options_.protected_namespaces, options_.action_namespaces);
    if (!refused.empty() && (st.phase.empty() || st.phase == "Pending")) {
      return Fail(obj, st, "NamespaceNotAllowed",
                  "namespace " + ns + " " + refused + ": the operator injects no fault here");
    }
  }
  if (!finished && !sc.metadata.HasFinalizer(api::kFaultScenarioFinalizer)) {
    Json finalizers = Json::array();
    for (const auto& f : sc.metadata.finalizers) finalizers.push_back(f);
    finalizers.push_back(api::kFaultScenarioFinalizer);
    auto patched = kube_->PatchCustomMetadata(kKind, ns, name, {{"finalizers", finalizers}});
    if (!patched.ok()) return kube::ReconcileResult::FromError(patched.error());
    obj = std::move(*patched);
    sc.metadata.finalizers.push_back(api::kFaultScenarioFinalizer);
  }
  st.observed_generation = sc.metadata.generation;

  if (st.phase.empty() || st.phase == "Pending") {
    const auto start_at = ParseOr(sc.spec.start_time, now);
    if (now < start_at) {
      st.phase = "Pending";
      api::SetCondition(&st.conditions, {"Ready", "False", "Scheduled",
                                         "injection starts at " + sc.spec.start_time}, now);
      auto s = WriteStatus(&obj, st);
      if (!s.ok()) return kube::ReconcileResult::FromError(s.error());
      return kube::ReconcileResult::RequeueAfter(start_at - now);
    }
    auto pods = kube_->ListPods(ns, sc.spec.LabelSelector());
    if (!pods.ok()) return kube::ReconcileResult::FromError(pods.error());
    const auto chosen = ChooseTargets(sc.spec, *pods, sc.metadata.uid + sc.metadata.name);
    bool needs_pods = false;
    for (const auto& f : sc.spec.faults) needs_pods = needs_pods || f.type != "trafficSpike";
    if (chosen.empty() && needs_pods) {
      st.phase = "Pending";
      api::SetCondition(&st.conditions, {"Ready", "False", "NoTargets",
                                         "no running pod with an IP matches " +
                                             sc.spec.LabelSelector()}, now);
      auto s = WriteStatus(&obj, st);
      if (!s.ok()) return kube::ReconcileResult::FromError(s.error());
      return kube::ReconcileResult::RequeueAfter(options_.renew_period);
    }
    st.targets.clear();
    for (const auto& pod : chosen) {
      api::ScenarioTarget t;
      t.pod = pod["metadata"].value("name", "");
      t.ip = pod["status"].value("podIP", "");
      st.targets.push_back(std::move(t));
    }
    st.phase = "Injecting";
    st.start_time = FormatRfc3339(now);
    api::SetCondition(&st.conditions, {"Ready", "True", "Injecting",
                                       std::to_string(st.targets.size()) + " target pods"}, now);
    (void)kube_->RecordEvent(obj, "Normal", "InjectionStarted",
                             "injecting " + std::to_string(sc.spec.faults.size()) +
                                 " faults into " + std::to_string(st.targets.size()) +
                                 " pods for " + api::FormatDuration(sc.spec.duration));
    // Record the targets before touching them.
    auto s = WriteStatus(&obj, st);
    if (!s.ok()) return kube::ReconcileResult::FromError(s.error());
    Log().Info("scenario started", {{"scenario", key}, {"targets", st.targets.size()}});
  }

  const auto start = ParseOr(st.start_time, now);
  if (st.phase == "Injecting") {
    if (sc.spec.expect) scenarios_->SetActive(ns + "/" + sc.spec.expect->policy, key);
    const auto end = start + sc.spec.duration;
    if (now < end) {
      if (auto s = StartPodKillRounds(sc, obj, start); !s.ok()) {
        return kube::ReconcileResult::FromError(s.error());
      }
      auto injected = Inject(sc, start);
      bool any = SpikeApplied(sc);
      for (const auto& t : st.targets) any = any || t.injected;
      if (!injected.ok() && !any && !injected.error().retryable()) {
        return FailInjection(sc, obj, injected.error());
      }
      if (!injected.ok() && !any) {
        api::SetCondition(&st.conditions, {"Ready", "False", "InjectionFailed",
                                           injected.error().message}, now);
      }
      JudgeVerdict(sc, start, false);
      auto s = WriteStatus(&obj, st);
      if (!s.ok()) return kube::ReconcileResult::FromError(s.error());
      std::chrono::nanoseconds next = std::min<std::chrono::nanoseconds>(options_.renew_period,
                                                                         end - now);
      for (const auto& fault : sc.spec.faults) {
        if (fault.type != "podKill") continue;
        if (auto round = PodKillSchedule::NextRound(fault, st.targets, end)) {
          next = std::min<std::chrono::nanoseconds>(
              next, std::max<std::chrono::nanoseconds>(*round - now, std::chrono::seconds(1)));
        }
      }
      return kube::ReconcileResult::RequeueAfter(next);
    }
    auto cleaned = Cleanup(sc);
    if (!cleaned.ok()) return kube::ReconcileResult::FromError(cleaned.error());
    scenarios_->Clear(key);
    // A trafficSpike-only scenario has no pod targets: the scaled generator is what it injected.
    bool any = SpikeApplied(sc);
    for (const auto& t : st.targets) any = any || t.injected;
    st.end_time = FormatRfc3339(now);
    st.phase = any ? "Completed" : "Failed";
    api::SetCondition(&st.conditions,
                      {"Ready", any ? "True" : "False", any ? "InjectionEnded" : "NothingInjected",
                       any ? "faults removed" : "no fault reached any target"}, now);
    (void)kube_->RecordEvent(obj, any ? "Normal" : "Warning", any ? "InjectionEnded" : "NothingInjected",
                             any ? "faults removed from the targets" : "no fault reached any target");
  }
  return Finish(sc, obj, start);
}

kube::ReconcileResult FaultScenarioReconciler::Finish(api::FaultScenario& sc, Json& obj,
                                                      Clock::TimePoint start) {
  const bool final_verdict = JudgeVerdict(sc, start, true);
  auto s = WriteStatus(&obj, sc.status);
  if (!s.ok()) return kube::ReconcileResult::FromError(s.error());
  if (!final_verdict) return kube::ReconcileResult::RequeueAfter(options_.verdict_poll);
  // Keep the finalizer only while faults may be in place.
  if (sc.metadata.HasFinalizer(api::kFaultScenarioFinalizer)) {
    Json finalizers = Json::array();
    for (const auto& f : sc.metadata.finalizers) {
      if (f != api::kFaultScenarioFinalizer) finalizers.push_back(f);
    }
    (void)kube_->PatchCustomMetadata(kKind, sc.metadata.namespace_, sc.metadata.name,
                                     {{"finalizers", finalizers}});
  }
  return kube::ReconcileResult::Done();
}

kube::ReconcileResult FaultScenarioReconciler::FailInjection(api::FaultScenario& sc, Json& obj,
                                                             const Error& error) {
  // Nothing reached a target and trying again cannot help (no agent token for the namespace):
  // the scenario ends now, saying what to fix, instead of renewing nothing until its end.
  auto& st = sc.status;
  const auto now = clock_->Now();
  const std::string reason = error.code.empty() ? "InjectionFailed" : error.code;
  scenarios_->Clear(sc.metadata.Key());
  st.phase = "Failed";
  st.end_time = FormatRfc3339(now);
  api::SetCondition(&st.conditions, {"Ready", "False", reason, error.message}, now);
  if (sc.spec.expect && st.verdict.empty()) {
    st.verdict = "Failed";
    st.verdict_reason = "nothing injected: " + error.message;
    metrics_->Verdict(st.verdict);
  }
  (void)kube_->RecordEvent(obj, "Warning", reason, error.message);
  Log().Warn("scenario failed", {{"scenario", sc.metadata.Key()}, {"reason", reason},
                                 {"error", error.message}});
  return Finish(sc, obj, ParseOr(st.start_time, now));
}

}  // namespace kubeheal::controllers
