#pragma once

#include <memory>
#include <string>
#include <vector>

#include "kubeheal/agentclient/agent_client.h"
#include "kubeheal/api/healing_policy.h"
#include "kubeheal/common/clock.h"
#include "kubeheal/controllers/agent_targets.h"
#include "kubeheal/controllers/alert_sender.h"
#include "kubeheal/controllers/kube_operations.h"
#include "kubeheal/policy/decision.h"

namespace kubeheal::controllers {

// What an action acts on.
struct ActionTarget {
  const api::HealingPolicy* policy = nullptr;
  Json workload;            // the Deployment/StatefulSet object
  std::vector<Json> pods;   // its pods now
};

// The actuators: carries out one decision of the policy engine (or its revert).
//   throttle      PUT /v1/throttle on every target pod's agent (ttl = throttle.maxDuration)
//   circuitBreak  PUT /v1/circuit {mode: auto, openSeconds, halfOpenProbes} on every agent
//   scale         the scale subresource, clamped to [minReplicas, maxReplicas]
//   restart       rolling (pod-template annotation) or one pod through the Eviction API
//   alert         Warning Event on the workload + optional Alertmanager-shaped webhook
// Reverts: DELETE /v1/throttle, PUT /v1/circuit {mode: closed}, scale back.
// Agent actions succeed when at least one agent took them; the message lists the failures.
// Stateless; thread-safe.
class ActionExecutor {
 public:
  ActionExecutor(std::shared_ptr<KubeOperations> kube,
                 std::shared_ptr<agentclient::AgentClient> agents,
                 std::shared_ptr<AgentTargets> targets, std::shared_ptr<AlertSender> alerts,
                 std::shared_ptr<const Clock> clock);

  // Returns a human-readable summary of what was done.
  Result<std::string> Execute(const policy::Decision& decision, const ActionTarget& target);

 private:
  using AgentCall = std::function<Status(const agentclient::AgentEndpoint&)>;
  Result<std::string> OnEveryAgent(const ActionTarget& target, const std::string& what,
                                   const AgentCall& call);
  Result<std::string> Scale(const policy::Decision& d, const ActionTarget& target);
  Result<std::string> Restart(const policy::Decision& d, const ActionTarget& target);
  Result<std::string> Alert(const policy::Decision& d, const ActionTarget& target);

  std::shared_ptr<KubeOperations> kube_;
  std::shared_ptr<agentclient::AgentClient> agents_;
  std::shared_ptr<AgentTargets> targets_;
  std::shared_ptr<AlertSender> alerts_;
  std::shared_ptr<const Clock> clock_;
};

}  // namespace kubeheal::controllers
