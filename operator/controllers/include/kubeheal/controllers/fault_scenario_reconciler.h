#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "kubeheal/agentclient/agent_client.h"
#include "kubeheal/api/fault_scenario.h"
#include "kubeheal/common/clock.h"
#include "kubeheal/controllers/agent_targets.h"
#include "kubeheal/controllers/fault_injector.h"
#include "kubeheal/controllers/kube_operations.h"
#include "kubeheal/controllers/operator_metrics.h"
#include "kubeheal/controllers/scenario_judge.h"
#include "kubeheal/controllers/scenario_registry.h"
#include "kubeheal/kube/reconcile_result.h"

namespace kubeheal::controllers {

struct FaultScenarioReconcilerOptions {
  // Faults are pushed with this expiry and renewed every `renew_period` until the scenario
  // ends: if the operator dies, every fault is gone at most `fault_ttl` later.
  std::chrono::seconds fault_ttl{30};
  std::chrono::seconds renew_period{10};
  // How often the verdict is re-checked after injection ended.
  std::chrono::seconds verdict_poll{5};
  // Namespaces the operator does not act in (policy::NamespaceRefusal): a scenario there is
  // Failed with reason NamespaceNotAllowed before anything is injected.
  std::vector<std::string> protected_namespaces = {"kube-system"};
  std::vector<std::string> action_namespaces;  // non-empty: only these
};

// Reconciles FaultScenario objects, in named steps:
//   admit    Admit          the namespace is one the operator injects in; the finalizer set
//   select   Start          Pending -> Injecting: targets chosen by mode (ChooseTargets) and
//                           recorded before they are touched; Scheduled / NoTargets wait
//   inject   Renew          FaultInjector: faults pushed to the targets' agents with an expiry
//                           and renewed, pods killed for podKill (once, or in rounds:
//                           PodKillSchedule), a traffic generator scaled for trafficSpike
//   judge    ScenarioJudge  with `expect`: the named HealingPolicy's detection and recovery
//                           times, MTTD, MTTR (both from the start of injection), the verdict
//   clean up EndInjection   -> Completed/Failed: faults cleared, generator restored; Finalize
//                           does the same when the scenario is deleted (its finalizer)
//
// Threads: Reconcile() runs on controller workers, never concurrently for one key; the class
// keeps no per-object memory (everything is in the object's status), so it is restart-safe.
class FaultScenarioReconciler {
 public:
  FaultScenarioReconciler(std::shared_ptr<KubeOperations> kube,
                          std::shared_ptr<agentclient::AgentClient> agents,
                          std::shared_ptr<AgentTargets> targets,
                          std::shared_ptr<ScenarioRegistry> scenarios,
                          std::shared_ptr<OperatorMetrics> metrics, std::shared_ptr<Clock> clock,
                          FaultScenarioReconcilerOptions options = {});

  kube::ReconcileResult Reconcile(const std::string& key);

  // Which pods a scenario targets, chosen deterministically from the scenario's uid.
  static std::vector<Json> ChooseTargets(const api::FaultScenarioSpec& spec, std::vector<Json> pods,
                                         const std::string& seed);

 private:
  // Deleted: faults cleared, then the finalizer removed.
  kube::ReconcileResult Finalize(api::FaultScenario& sc);
  // Refused (a namespace the operator does not act in: Failed), or the finalizer set.
  std::optional<kube::ReconcileResult> Admit(api::FaultScenario& sc, Json& obj);
  // Pending -> Injecting, or a result while it must wait (start time, no targets).
  std::optional<kube::ReconcileResult> Start(api::FaultScenario& sc, Json& obj,
                                             Clock::TimePoint now);
  kube::ReconcileResult Wait(api::FaultScenario& sc, Json& obj, const std::string& reason,
                             const std::string& message, std::chrono::nanoseconds after);
  // While injecting: pod kill rounds, faults injected or renewed, the verdict so far.
  kube::ReconcileResult Renew(api::FaultScenario& sc, Json& obj, Clock::TimePoint start,
                              Clock::TimePoint now);
  // podKill with an interval: the pods of a due round, on record (status, Event) before
  // Inject deletes them.
  Status RecordPodKills(api::FaultScenario& sc, Json& obj, Clock::TimePoint start);
  // The duration is over: faults cleared, Completed (or Failed when nothing was injected).
  Status EndInjection(api::FaultScenario& sc, Json& obj, Clock::TimePoint now);
  Status WriteStatus(Json* object, const api::FaultScenarioStatus& status);
  kube::ReconcileResult Fail(Json object, api::FaultScenarioStatus status,
                             const std::string& reason, const std::string& message);
  // An injection that reached no target with a terminal error (NoAgentToken): phase Failed,
  // the error's code as the Ready reason and an Event, then Finish.
  kube::ReconcileResult FailInjection(api::FaultScenario& sc, Json& object, const Error& error);
  // The verdict, the status write, and the finalizer dropped once the verdict is final.
  kube::ReconcileResult Finish(api::FaultScenario& sc, Json& object, Clock::TimePoint start);

  std::shared_ptr<KubeOperations> kube_;
  std::shared_ptr<ScenarioRegistry> scenarios_;
  std::shared_ptr<OperatorMetrics> metrics_;
  std::shared_ptr<Clock> clock_;
  FaultScenarioReconcilerOptions options_;
  FaultInjector injector_;
  ScenarioJudge judge_;
};

}  // namespace kubeheal::controllers
