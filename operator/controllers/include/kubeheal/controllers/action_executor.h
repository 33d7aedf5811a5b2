#pragma once

#include <chrono>
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
#include "kubeheal/policy/policy_state.h"

namespace kubeheal::controllers {

// What an action acts on.
struct ActionTarget {
  const api::HealingPolicy* policy = nullptr;
  Json workload;           // the Deployment/StatefulSet object
  std::vector<Json> pods;  // its pods now
};

struct ActionExecutorOptions {
  // The agent-side ttl of a throttle or an armed circuit: the operator renews it (Renew) at
  // every evaluation of the policy, so the effect ends by itself this long after the operator
  // stopped renewing it (gone, partitioned). At least 3 intervals of the policy.
  std::chrono::seconds effect_ttl{30};
};

// The actuators: carries out one decision of the policy engine (or its revert).
//   throttle      PUT /v1/throttle on every target pod's agent (ttl = EffectTtl, at most
//                 throttle.maxDuration)
//   circuitBreak  PUT /v1/circuit {mode: auto, openSeconds, halfOpenProbes, ttl = EffectTtl}
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
                 std::shared_ptr<const Clock> clock, ActionExecutorOptions options = {});

  // Returns a human-readable summary of what was done.
  Result<std::string> Execute(const policy::Decision& decision, const ActionTarget& target);

  // Carries out a decision an earlier process recorded but may or may not have executed (it
  // stopped before reporting the outcome): like Execute, never doubling what already ran.
  Result<std::string> Resume(const policy::Decision& decision, const ActionTarget& target);

  // Sends an applied throttle or circuit again, unchanged: the agents take it as a renewal (the
  // ttl moves, the bucket's tokens and the circuit's state stay). Other actions have nothing
  // to renew (a scale is undone by the engine, whose state outlives the process).
  Result<std::string> Renew(const policy::TemporaryAction& applied, const ActionTarget& target);
  // What Renew sends again: an applied (not dry-run) throttle or circuit.
  static bool Renewable(const policy::TemporaryAction& applied);

  // How long an agent keeps a throttle or circuit of this policy without a renewal.
  std::chrono::seconds EffectTtl(const api::HealingPolicy& policy) const;

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
  ActionExecutorOptions options_;
};

}  // namespace kubeheal::controllers
