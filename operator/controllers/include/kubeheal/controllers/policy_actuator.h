#pragma once

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "kubeheal/controllers/action_executor.h"
#include "kubeheal/controllers/kube_operations.h"
#include "kubeheal/controllers/operator_metrics.h"
#include "kubeheal/policy/decision_engine.h"

namespace kubeheal::controllers {

// The act step of an evaluation: carries out the decisions already on record through the
// ActionExecutor, reports each outcome to the engine (kubeheal_actions_total, a log line, an
// ActionFailed Event when one fails), finishes the decisions an earlier process recorded and
// did not finish, and renews the throttles and circuits in effect. Stateless; thread-safe.
class PolicyActuator {
 public:
  // failpoint: a test hook, "after-action-recorded" or "after-action-executed": the process
  // SIGKILLs itself there (integration tests of a leader lost mid-action). Empty: never.
  PolicyActuator(std::shared_ptr<ActionExecutor> executor,
                 std::shared_ptr<policy::DecisionEngine> engine,
                 std::shared_ptr<KubeOperations> kube, std::shared_ptr<OperatorMetrics> metrics,
                 std::string failpoint = "");

  // Carries out `decisions` (on record in the status and in Events: call only after the write
  // succeeded); a dry run is counted, never executed.
  void Act(const std::string& key, const Json& policy_object,
           const std::vector<policy::Decision>& decisions, policy::PolicyState& state,
           const ActionTarget& target);

  // Carries out the decisions of `state` that have no outcome (an earlier process recorded them
  // and stopped) once, through ActionExecutor::Resume (idempotent by decision id), and records
  // their outcome (Event ActionResumed). Returns their ids.
  std::set<std::string> Resume(const std::string& key, const Json& policy_object,
                               policy::PolicyState& state, const ActionTarget& target);

  // Sends the throttles and circuits in effect again (ActionExecutor::Renew), except those just
  // applied, so their short agent-side ttl runs out only when no operator renews them.
  void Renew(const std::string& key, const api::HealingPolicy& policy,
             const policy::PolicyState& state, const std::set<std::string>& just_applied,
             const ActionTarget& target);

 private:
  void HitFailpoint(const char* name) const;

  std::shared_ptr<ActionExecutor> executor_;
  std::shared_ptr<policy::DecisionEngine> engine_;
  std::shared_ptr<KubeOperations> kube_;
  std::shared_ptr<OperatorMetrics> metrics_;
  std::string failpoint_;
};

// The `action` label of kubeheal_actions_total and of the "action" log line.
std::string ActionMetricName(const policy::Decision& decision);

}  // namespace kubeheal::controllers
