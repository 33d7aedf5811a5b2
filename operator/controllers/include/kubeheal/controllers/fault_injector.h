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

namespace kubeheal::controllers {

// Annotation on the FaultScenario remembering the generator's replicas before a trafficSpike.
inline constexpr const char* kSpikePreviousReplicasAnnotation =
    "kubeheal.io/spike-previous-replicas";

// The inject and clean-up steps of a FaultScenario, on the targets already on record in its
// status: agent faults pushed with an expiry of min(fault_ttl, what is left of the duration)
// (renewed by pushing again), pods deleted for podKill (each once: killedAt), the traffic
// generator scaled for trafficSpike (its replicas remembered in an annotation first). Cleanup
// clears the faults on the agents and scales the generator back. Stateless; thread-safe.
class FaultInjector {
 public:
  FaultInjector(std::shared_ptr<KubeOperations> kube,
                std::shared_ptr<agentclient::AgentClient> agents,
                std::shared_ptr<AgentTargets> targets, std::shared_ptr<Clock> clock,
                std::chrono::seconds fault_ttl);

  // Injects (or renews) every fault of `sc` into its status' targets, recording per target what
  // was injected and what failed. An error: nothing reached any target (terminal when the
  // namespace has no agent token, else retryable), or the generator could not be scaled.
  Status Inject(api::FaultScenario& sc, Clock::TimePoint start);
  // podKill with an interval: the pods of a due round (PodKillSchedule), appended to
  // status.targets; Inject deletes them once they are on record. Returns their names.
  Result<std::vector<std::string>> DuePodKills(api::FaultScenario& sc, Clock::TimePoint start);
  // Clears the faults the targets still carry and scales a spiked generator back. Retryable
  // when an agent that is still there refused; an agent gone or unreachable is left to the
  // faults' expiry (logged).
  Status Cleanup(api::FaultScenario& sc);

  // The agent fault for a scenario's fault (agent/API.md POST /v1/faults body).
  static agentclient::AgentFault ToAgentFault(const api::FaultSpec& fault, const std::string& id,
                                              double ttl_seconds);
  static std::string FaultId(const api::FaultScenario& scenario, size_t index);
  // The generator of a trafficSpike was scaled (its previous replicas are remembered).
  static bool SpikeApplied(const api::FaultScenario& sc);

 private:
  // The faults of `sc` into one target (`pod`: nullptr when it is gone).
  void InjectInto(api::FaultScenario& sc, api::ScenarioTarget& target, const Json* pod,
                  const Result<std::string>& token, double ttl, std::string* last_error);
  // trafficSpike: the generator scaled once, its replicas remembered first. Returns how many
  // generators were scaled now.
  Result<int> SpikeTraffic(api::FaultScenario& sc);
  Status RestoreGenerators(const api::FaultScenario& sc);

  std::shared_ptr<KubeOperations> kube_;
  std::shared_ptr<agentclient::AgentClient> agents_;
  std::shared_ptr<AgentTargets> targets_;
  std::shared_ptr<Clock> clock_;
  std::chrono::seconds fault_ttl_;
};

}  // namespace kubeheal::controllers
