#include "kubeheal/controllers/fault_scenario_reconciler.h"

#include <algorithm>
#include <cmath>
#include <functional>

#include "kubeheal/common/logger.h"
#include "kubeheal/controllers/healing_policy_reconciler.h"
#include "kubeheal/controllers/pod_kill_schedule.h"

namespace kubeheal::controllers {
namespace {

constexpr const char* kKind = "FaultScenario";

Clock::TimePoint ParseOr(const std::string& text, Clock::TimePoint fallback) {
  if (text.empty()) return fallback;
  auto t = api::ParseRfc3339(text);
  return t.ok() ? *t : fallback;
}

// Something reached the scenario's targets: a fault on a pod, a pod killed, or (a
// trafficSpike-only scenario has no pod targets) the generator scaled.
bool AnyInjected(const api::FaultScenario& sc) {
  bool any = FaultInjector::SpikeApplied(sc);
  for (const auto& t : sc.status.targets) any = any || t.injected;
  return any;
}

// The scenario's finalizers without the operator's.
Json FinalizersWithoutOurs(const api::ObjectMeta& meta) {
  Json finalizers = Json::array();
  for (const auto& f : meta.finalizers) {
    if (f != api::kFaultScenarioFinalizer) finalizers.push_back(f);
  }
  return finalizers;
}

}  // namespace

FaultScenarioReconciler::FaultScenarioReconciler(std::shared_ptr<KubeOperations> kube,
                                                 std::shared_ptr<agentclient::AgentClient> agents,
                                                 std::shared_ptr<AgentTargets> targets,
                                                 std::shared_ptr<ScenarioRegistry> scenarios,
                                                 std::shared_ptr<OperatorMetrics> metrics,
                                                 std::shared_ptr<Clock> clock,
                                                 FaultScenarioReconcilerOptions options)
    // The parts below are built from the members above (declared first), not from the
    // moved-from parameters.
    : kube_(std::move(kube)),
      scenarios_(std::move(scenarios)),
      metrics_(std::move(metrics)),
      clock_(std::move(clock)),
      options_(std::move(options)),
      injector_(kube_, std::move(agents), std::move(targets), clock_, options_.fault_ttl),
      judge_(kube_, metrics_, clock_) {}

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
  if (spec.mode == "one")
    count = 1;
  else if (spec.mode == "fixed")
    count = std::min<size_t>(n, static_cast<size_t>(spec.value));
  else if (spec.mode == "percent") {
    count = std::max<size_t>(
        1, static_cast<size_t>(
               std::ceil(static_cast<double>(n) * static_cast<double>(spec.value) / 100.0)));
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
  if (sc.metadata.BeingDeleted()) return Finalize(sc);
  if (auto refused = Admit(sc, obj)) return *refused;
  const auto now = clock_->Now();
  if (sc.status.phase.empty() || sc.status.phase == "Pending") {
    if (auto waiting = Start(sc, obj, now)) return *waiting;
  }
  const auto start = ParseOr(sc.status.start_time, now);
  if (sc.status.phase == "Injecting") {
    if (sc.spec.expect) scenarios_->SetActive(ns + "/" + sc.spec.expect->policy, key);
    if (now < start + sc.spec.duration) return Renew(sc, obj, start, now);
    if (auto ended = EndInjection(sc, obj, now); !ended.ok()) {
      return kube::ReconcileResult::FromError(ended.error());
    }
  }
  return Finish(sc, obj, start);
}

kube::ReconcileResult FaultScenarioReconciler::Finalize(api::FaultScenario& sc) {
  const auto key = sc.metadata.Key();
  scenarios_->Clear(key);
  if (!sc.metadata.HasFinalizer(api::kFaultScenarioFinalizer)) return kube::ReconcileResult::Done();
  auto cleaned = injector_.Cleanup(sc);
  if (!cleaned.ok()) return kube::ReconcileResult::FromError(cleaned.error());
  auto patched = kube_->PatchCustomMetadata(kKind, sc.metadata.namespace_, sc.metadata.name,
                                            {{"finalizers", FinalizersWithoutOurs(sc.metadata)}});
  if (!patched.ok() && patched.error().http_status != 404) {
    return kube::ReconcileResult::FromError(patched.error());
  }
  Log().Info("scenario deleted, faults cleared", {{"scenario", key}});
  return kube::ReconcileResult::Done();
}

std::optional<kube::ReconcileResult> FaultScenarioReconciler::Admit(api::FaultScenario& sc,
                                                                    Json& obj) {
  auto& st = sc.status;
  const auto& ns = sc.metadata.namespace_;
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
    auto patched =
        kube_->PatchCustomMetadata(kKind, ns, sc.metadata.name, {{"finalizers", finalizers}});
    if (!patched.ok()) return kube::ReconcileResult::FromError(patched.error());
    obj = std::move(*patched);
    sc.metadata.finalizers.push_back(api::kFaultScenarioFinalizer);
  }
  st.observed_generation = sc.metadata.generation;
  return std::nullopt;
}

kube::ReconcileResult FaultScenarioReconciler::Wait(api::FaultScenario& sc, Json& obj,
                                                    const std::string& reason,
                                                    const std::string& message,
                                                    std::chrono::nanoseconds after) {
  sc.status.phase = "Pending";
  api::SetCondition(&sc.status.conditions, {"Ready", "False", reason, message}, clock_->Now());
  auto s = WriteStatus(&obj, sc.status);
  if (!s.ok()) return kube::ReconcileResult::FromError(s.error());
  return kube::ReconcileResult::RequeueAfter(after);
}

std::optional<kube::ReconcileResult> FaultScenarioReconciler::Start(api::FaultScenario& sc,
                                                                    Json& obj,
                                                                    Clock::TimePoint now) {
  auto& st = sc.status;
  const auto start_at = ParseOr(sc.spec.start_time, now);
  if (now < start_at) {
    return Wait(sc, obj, "Scheduled", "injection starts at " + sc.spec.start_time, start_at - now);
  }
  auto pods = kube_->ListPods(sc.metadata.namespace_, sc.spec.LabelSelector());
  if (!pods.ok()) return kube::ReconcileResult::FromError(pods.error());
  const auto chosen = ChooseTargets(sc.spec, *pods, sc.metadata.uid + sc.metadata.name);
  bool needs_pods = false;
  for (const auto& f : sc.spec.faults) needs_pods = needs_pods || f.type != "trafficSpike";
  if (chosen.empty() && needs_pods) {
    return Wait(sc, obj, "NoTargets",
                "no running pod with an IP matches " + sc.spec.LabelSelector(),
                options_.renew_period);
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
  api::SetCondition(
      &st.conditions,
      {"Ready", "True", "Injecting", std::to_string(st.targets.size()) + " target pods"}, now);
  (void)kube_->RecordEvent(obj, "Normal", "InjectionStarted",
                           "injecting " + std::to_string(sc.spec.faults.size()) + " faults into " +
                               std::to_string(st.targets.size()) + " pods for " +
                               api::FormatDuration(sc.spec.duration));
  // Record the targets before touching them.
  if (auto s = WriteStatus(&obj, st); !s.ok()) return kube::ReconcileResult::FromError(s.error());
  Log().Info("scenario started", {{"scenario", sc.metadata.Key()}, {"targets", st.targets.size()}});
  return std::nullopt;
}

kube::ReconcileResult FaultScenarioReconciler::Renew(api::FaultScenario& sc, Json& obj,
                                                     Clock::TimePoint start, Clock::TimePoint now) {
  auto& st = sc.status;
  if (auto s = RecordPodKills(sc, obj, start); !s.ok()) {
    return kube::ReconcileResult::FromError(s.error());
  }
  auto injected = injector_.Inject(sc, start);
  const bool any = AnyInjected(sc);
  if (!injected.ok() && !any && !injected.error().retryable()) {
    return FailInjection(sc, obj, injected.error());
  }
  if (!injected.ok() && !any) {
    api::SetCondition(&st.conditions,
                      {"Ready", "False", "InjectionFailed", injected.error().message}, now);
  }
  judge_.Judge(sc, start, false);
  if (auto s = WriteStatus(&obj, st); !s.ok()) return kube::ReconcileResult::FromError(s.error());
  // The next renewal, or the next pod kill round when that comes first.
  const auto end = start + sc.spec.duration;
  std::chrono::nanoseconds next =
      std::min<std::chrono::nanoseconds>(options_.renew_period, end - now);
  for (const auto& fault : sc.spec.faults) {
    if (fault.type != "podKill") continue;
    if (auto round = PodKillSchedule::NextRound(fault, st.targets, end)) {
      next = std::min<std::chrono::nanoseconds>(
          next, std::max<std::chrono::nanoseconds>(*round - now, std::chrono::seconds(1)));
    }
  }
  return kube::ReconcileResult::RequeueAfter(next);
}

Status FaultScenarioReconciler::RecordPodKills(api::FaultScenario& sc, Json& obj,
                                               Clock::TimePoint start) {
  auto due = injector_.DuePodKills(sc, start);
  if (!due.ok()) return due.error();
  if (due->empty()) return Status::Ok();
  std::string names;
  for (const auto& pod : *due) names += (names.empty() ? "" : ", ") + pod;
  // Recorded before they are deleted (Inject deletes targets not killed yet).
  if (auto s = WriteStatus(&obj, sc.status); !s.ok()) return s;
  (void)kube_->RecordEvent(obj, "Normal", "PodKillRound", "deleting pods " + names);
  Log().Info("pod kill round", {{"scenario", sc.metadata.Key()}, {"pods", names}});
  return Status::Ok();
}

Status FaultScenarioReconciler::EndInjection(api::FaultScenario& sc, Json& obj,
                                             Clock::TimePoint now) {
  if (auto cleaned = injector_.Cleanup(sc); !cleaned.ok()) return cleaned;
  scenarios_->Clear(sc.metadata.Key());
  auto& st = sc.status;
  const bool any = AnyInjected(sc);
  st.end_time = FormatRfc3339(now);
  st.phase = any ? "Completed" : "Failed";
  api::SetCondition(&st.conditions,
                    {"Ready", any ? "True" : "False", any ? "InjectionEnded" : "NothingInjected",
                     any ? "faults removed" : "no fault reached any target"},
                    now);
  (void)kube_->RecordEvent(obj, any ? "Normal" : "Warning",
                           any ? "InjectionEnded" : "NothingInjected",
                           any ? "faults removed from the targets" : "no fault reached any target");
  return Status::Ok();
}

kube::ReconcileResult FaultScenarioReconciler::Finish(api::FaultScenario& sc, Json& obj,
                                                      Clock::TimePoint start) {
  const bool final_verdict = judge_.Judge(sc, start, true);
  auto s = WriteStatus(&obj, sc.status);
  if (!s.ok()) return kube::ReconcileResult::FromError(s.error());
  if (!final_verdict) return kube::ReconcileResult::RequeueAfter(options_.verdict_poll);
  // Keep the finalizer only while faults may be in place.
  if (sc.metadata.HasFinalizer(api::kFaultScenarioFinalizer)) {
    (void)kube_->PatchCustomMetadata(kKind, sc.metadata.namespace_, sc.metadata.name,
                                     {{"finalizers", FinalizersWithoutOurs(sc.metadata)}});
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
  Log().Warn("scenario failed",
             {{"scenario", sc.metadata.Key()}, {"reason", reason}, {"error", error.message}});
  return Finish(sc, obj, ParseOr(st.start_time, now));
}

}  // namespace kubeheal::controllers
