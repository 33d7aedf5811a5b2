#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "kubeheal/agentclient/agent_client.h"
#include "kubeheal/api/fault_scenario.h"
#include "kubeheal/common/clock.h"
#include "kubeheal/controllers/agent_targets.h"
#include "kubeheal/controllers/kube_operations.h"
#include "kubeheal/controllers/operator_metrics.h"
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

// Reconciles FaultScenario objects: Pending -> Injecting (targets chosen by mode, faults pushed
// to their agents with an expiry and renewed, pods killed for podKill (once, or in rounds: see
// PodKillSchedule), a traffic generator scaled for trafficSpike) -> Completed/Failed (faults
// cleared, generator restored). A
// finalizer makes deletion clear the faults first. With `expect`, it follows the named
// HealingPolicy's engine state and records detection and recovery times, MTTD, MTTR (both
// measured from the start of injection) and the verdict.
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

  // The agent fault for a scenario's fault (agent/API.md POST /v1/faults body).
  static agentclient::AgentFault ToAgentFault(const api::FaultSpec& fault, const std::string& id,
                                              double ttl_seconds);
  // Which pods a scenario targets, chosen deterministically from the scenario's uid.
  static std::vector<Json> ChooseTargets(const api::FaultScenarioSpec& spec,
                                         std::vector<Json> pods, const std::string& seed);
  static std::string FaultId(const api::FaultScenario& scenario, size_t index);

 private:
  Status Inject(api::FaultScenario& sc, Clock::TimePoint start);
  // podKill with an interval: appends the pods of a due round to status.targets and writes
  // the status, so Inject then deletes pods that are on record (PodKillSchedule).
  Status StartPodKillRounds(api::FaultScenario& sc, Json& object, Clock::TimePoint start);
  Status Cleanup(api::FaultScenario& sc);
  // Fills detection/recovery/verdict from the expected policy; true once the verdict is final.
  bool JudgeVerdict(api::FaultScenario& sc, Clock::TimePoint start, bool injection_over);
  Status WriteStatus(Json* object, const api::FaultScenarioStatus& status);
  kube::ReconcileResult Fail(Json object, api::FaultScenarioStatus status,
                             const std::string& reason, const std::string& message);
  // An injection that reached no target with a terminal error (NoAgentToken): phase Failed,
  // the error's code as the Ready reason and an Event, then Finish.
  kube::ReconcileResult FailInjection(api::FaultScenario& sc, Json& object, const Error& error);
  // The verdict, the status write, and the finalizer dropped once the verdict is final.
  kube::ReconcileResult Finish(api::FaultScenario& sc, Json& object, Clock::TimePoint start);

  std::shared_ptr<KubeOperations> kube_;
  std::shared_ptr<agentclient::AgentClient> agents_;
  std::shared_ptr<AgentTargets> targets_;
  std::shared_ptr<ScenarioRegistry> scenarios_;
  std::shared_ptr<OperatorMetrics> metrics_;
  std::shared_ptr<Clock> clock_;
  FaultScenarioReconcilerOptions options_;
};

// Annotation on the FaultScenario remembering the generator's replicas before a trafficSpike.
inline constexpr const char* kSpikePreviousReplicasAnnotation =
    "kubeheal.io/spike-previous-replicas";

}  // namespace kubeheal::controllers
