#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "kubeheal/api/healing_policy.h"
#include "kubeheal/common/clock.h"
#include "kubeheal/controllers/kube_operations.h"
#include "kubeheal/controllers/operator_metrics.h"
#include "kubeheal/policy/decision_engine.h"
#include "kubeheal/policy/policy_state.h"

namespace kubeheal::controllers {

// The engine's memory of a policy (cooldowns, budgets, episodes, pending reverts, drill tags)
// lives in status.engineState, so a restarted operator keeps it, and only a writer of the
// status subresource can change it: the operator (a tenant's role grants the policy, not
// healingpolicies/status; a write to the policy itself leaves the status alone). Versions
// before kept it in this annotation, which anyone who may patch the policy could rewrite: it
// is read once when the status has none, and removed once the status holds the state.
inline constexpr const char* kEngineStateAnnotation = "kubeheal.io/engine-state";

// Condition (and Event reason when False) about the engine state read at a (re)start.
inline constexpr const char* kEngineStateValid = "EngineStateValid";

// The stored engine state of a HealingPolicy object as the API returns it: the document
// {"engine": <policy::PolicyStateToJson>, "scenarioTags": {decision id: scenario}} from
// status.engineState, else from the annotation (an earlier version's). `error` names what
// does not read (where, and why); the state is then nullopt and the caller starts fresh.
struct StoredEngineState {
  enum class Source { kNone, kStatus, kAnnotation };
  Source source = Source::kNone;
  std::optional<policy::PolicyState> state;
  std::map<std::string, std::string> scenario_tags;
  std::string error;
};
StoredEngineState ReadStoredEngineState(const Json& policy_object);

// The engine state one process holds for a policy, and what it knows of its own writes.
struct PolicyEngineState {
  policy::PolicyState engine;
  std::map<std::string, std::string> scenario_tags;  // decision id -> FaultScenario key
  bool restored = false;  // read back from the object: its open decisions are finished first
  std::optional<std::chrono::steady_clock::time_point> status_written;
};

// The state step of an evaluation: loads a policy's engine state from the object at a
// (re)start and persists it with the status. Stateless; thread-safe.
class PolicyStateStore {
 public:
  // status_refresh: a status that differs from the stored one only in the live figures (signal
  // values, bands, scores, explanations, lastEvaluationTime) is written at most this often; 0:
  // always.
  PolicyStateStore(std::shared_ptr<KubeOperations> kube,
                   std::shared_ptr<policy::DecisionEngine> engine,
                   std::shared_ptr<OperatorMetrics> metrics, std::shared_ptr<Clock> clock,
                   std::chrono::seconds status_refresh);

  // The state stored in `object` (status, else an earlier version's annotation, else a new
  // one), said in condition EngineStateValid (Restored, Migrated, New; Corrupt with a Warning
  // Event and a log line when it does not read, and then a new one). A restored state's actions
  // of the last hour count in the operator-wide budget again.
  PolicyEngineState Load(const std::string& key, const Json& object, int64_t generation,
                         std::vector<api::Condition>* conditions);

  // Writes `status` with the engine state in it, re-reading and retrying once on a conflict (a
  // second one comes back as a retryable Conflict); a write that would change only the live
  // figures is skipped within status_refresh of the last. Then drops an earlier version's
  // annotation (a refusal is logged, never a failed write). `object` becomes what is stored.
  Status Persist(Json* object, PolicyEngineState& state, const api::HealingPolicyStatus& status);

 private:
  Status DropAnnotation(Json* object);

  std::shared_ptr<KubeOperations> kube_;
  std::shared_ptr<policy::DecisionEngine> engine_;
  std::shared_ptr<OperatorMetrics> metrics_;
  std::shared_ptr<Clock> clock_;
  std::chrono::seconds status_refresh_;
};

}  // namespace kubeheal::controllers
