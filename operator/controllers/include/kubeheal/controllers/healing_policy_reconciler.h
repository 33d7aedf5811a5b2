#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <set>
#include <memory>
#include <mutex>
#include <string>

#include "kubeheal/api/healing_policy.h"
#include "kubeheal/common/clock.h"
#include "kubeheal/controllers/action_executor.h"
#include "kubeheal/controllers/kube_operations.h"
#include "kubeheal/controllers/operator_metrics.h"
#include "kubeheal/controllers/policy_board.h"
#include "kubeheal/controllers/policy_detectors.h"
#include "kubeheal/controllers/scenario_registry.h"
#include "kubeheal/kube/reconcile_result.h"
#include "kubeheal/policy/decision_engine.h"
#include "kubeheal/prom/prometheus_client.h"

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

// Condition (and Event reason) of a policy whose rule waits on a related policy.
inline constexpr const char* kWaitingOnDependency = "WaitingOnDependency";

struct HealingPolicyReconcilerOptions {
  // How far back detectors are warmed from a range query when a policy is new to this process.
  std::chrono::seconds warm_window{std::chrono::minutes(30)};
  // Relative jitter of the first wait after a (re)start or spec change (0.1 = +-10%), so
  // policies spread out; later evaluations follow the interval exactly.
  double interval_jitter = 0.1;
  // Server-side timeout of each query; all queries of one evaluation also end by the policy's
  // interval.
  std::chrono::milliseconds query_timeout{std::chrono::seconds(10)};
  // A signal whose query returns more series is not used (condition QueriesValid=False,
  // reason TooManySeries): a query that forgot its aggregation would otherwise be read whole
  // on every evaluation.
  size_t max_series_per_signal = 1000;
  // Test hook: "after-action-recorded" or "after-action-executed" makes the process SIGKILL
  // itself there (integration tests of a leader lost mid-action). Empty: never.
  std::string failpoint;
  // A status that differs from the stored one only in the live figures (signal values, bands,
  // scores, explanations, lastEvaluationTime) is written at most this often, so a steady state
  // costs no API call per evaluation; any other change (phase, severity, conditions, history)
  // is written at once. The live figures are on /metrics every evaluation. 0: always write
  // (the default here; kubeheal-operator sets --status-refresh, default 30s).
  std::chrono::seconds status_refresh{0};
  // How long after a dependency's (or a caller's) anomaly was last seen it still explains this
  // policy's: the callers' 1m rate windows trail the dependency's recovery.
  std::chrono::seconds related_grace{std::chrono::minutes(2)};
};

// Reconciles HealingPolicy objects (see docs/architecture.md "The loop"): every `interval`
// it renders each signal's query for the target workload, asks Prometheus, feeds the signal's
// detector, hands the observation to the decision engine and carries out its decisions —
// each one written to status (the engine state with it) and to Events (on the policy and
// on the workload) BEFORE it is executed.
//
// Threads: Reconcile() runs on controller workers, never concurrently for one key. Per-policy
// data (detectors, engine state, next evaluation time) sits in `policies_`, whose map is
// guarded by `mu_`; each entry is used only by the worker reconciling that key.
class HealingPolicyReconciler {
 public:
  HealingPolicyReconciler(std::shared_ptr<KubeOperations> kube,
                          std::shared_ptr<prom::PrometheusClient> prometheus,
                          std::shared_ptr<policy::DecisionEngine> engine,
                          std::shared_ptr<ActionExecutor> executor,
                          std::shared_ptr<ScenarioRegistry> scenarios,
                          std::shared_ptr<OperatorMetrics> metrics, std::shared_ptr<Clock> clock,
                          std::function<double()> uniform01,
                          HealingPolicyReconcilerOptions options = {});

  kube::ReconcileResult Reconcile(const std::string& key);

 private:
  struct PolicyRuntime {
    int64_t generation = -1;
    std::unique_ptr<PolicyDetectors> detectors;
    std::optional<policy::PolicyState> state;
    std::map<std::string, std::string> scenario_tags;  // decision id -> FaultScenario key
    std::optional<std::chrono::steady_clock::time_point> next_evaluation;
    bool evaluated = false;  // since the last (re)start or spec change: later waits are exact
    std::optional<std::chrono::steady_clock::time_point> status_written;
    bool resume_pending = false;  // the state was read back: finish its open decisions first
  };

  PolicyRuntime& RuntimeFor(const std::string& key);
  void Forget(const std::string& key);
  kube::ReconcileResult Evaluate(const std::string& key, Json object, api::HealingPolicy& policy,
                                 PolicyRuntime& rt);
  std::chrono::nanoseconds NextInterval(const api::HealingPolicy& policy);
  kube::ReconcileResult WriteInvalid(Json object, const Error& error);
  // Writes the status with the engine state in it, re-reading and retrying once on a
  // conflict; then drops an earlier version's engine-state annotation.
  Status Persist(Json* object, const api::HealingPolicy& policy, PolicyRuntime& rt,
                 const api::HealingPolicyStatus& status);
  void FillStatusFromState(const PolicyRuntime& rt, api::HealingPolicyStatus* status) const;
  // The dependencies and callers of `policy` with their own anomalies (board, else status).
  std::vector<policy::RelatedPolicy> RelatedOf(const api::HealingPolicy& policy);
  // Writes condition WaitingOnDependency and status.waitingOn; an Event when waiting starts.
  void RecordWaiting(const Json& object, const policy::Evaluation& evaluation,
                     api::HealingPolicyStatus* status);
  // Sends the throttles and circuits in effect again (ActionExecutor::Renew), so their short
  // agent-side ttl runs out only when no operator renews them.
  // Carries out the decisions of `state` that have no outcome (an earlier process recorded them
  // and stopped), once, and records their outcome. Returns their ids.
  std::set<std::string> ResumePending(const std::string& key, const Json& object,
                                      policy::PolicyState& state, const ActionTarget& target);
  void RenewEffects(const std::string& key, const api::HealingPolicy& policy,
                    const policy::PolicyState& state, const std::set<std::string>& just_applied,
                    const ActionTarget& target);

  std::shared_ptr<KubeOperations> kube_;
  std::shared_ptr<prom::PrometheusClient> prometheus_;
  std::shared_ptr<policy::DecisionEngine> engine_;
  std::shared_ptr<ActionExecutor> executor_;
  std::shared_ptr<ScenarioRegistry> scenarios_;
  std::shared_ptr<OperatorMetrics> metrics_;
  std::shared_ptr<Clock> clock_;
  std::function<double()> uniform01_;
  HealingPolicyReconcilerOptions options_;

  PolicyBoard board_;

  std::mutex mu_;
  std::map<std::string, std::unique_ptr<PolicyRuntime>> policies_;
};

// "ns/name" -> {ns, name}.
std::pair<std::string, std::string> SplitKey(const std::string& key);

}  // namespace kubeheal::controllers
