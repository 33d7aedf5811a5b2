#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "kubeheal/api/healing_policy.h"
#include "kubeheal/common/clock.h"
#include "kubeheal/common/random.h"
#include "kubeheal/controllers/action_executor.h"
#include "kubeheal/controllers/decision_recorder.h"
#include "kubeheal/controllers/kube_operations.h"
#include "kubeheal/controllers/operator_metrics.h"
#include "kubeheal/controllers/policy_actuator.h"
#include "kubeheal/controllers/policy_board.h"
#include "kubeheal/controllers/policy_detectors.h"
#include "kubeheal/controllers/policy_state_store.h"
#include "kubeheal/controllers/scenario_registry.h"
#include "kubeheal/controllers/signal_sampler.h"
#include "kubeheal/kube/reconcile_result.h"
#include "kubeheal/policy/decision_engine.h"
#include "kubeheal/prom/prometheus_client.h"

namespace kubeheal::controllers {

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

// Reconciles HealingPolicy objects (see docs/architecture.md "The loop"): every `interval` it
// evaluates the policy in named steps, each a type of its own:
//   state    PolicyStateStore   the engine state, loaded at a (re)start, persisted with the status
//   target   ReadTarget         the workload and its pods (condition TargetFound)
//   signals  SignalSampler      each signal's query, its detector, the derived signals
//   decide   policy::DecisionEngine, with the related policies (PolicyBoard)
//   record   DecisionRecorder   Events, conditions, then the status write, BEFORE any action
//   act      PolicyActuator     the decisions, the ones a lost process left, the renewals
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
                          std::shared_ptr<RandomSource> random,
                          HealingPolicyReconcilerOptions options = {});

  kube::ReconcileResult Reconcile(const std::string& key);

 private:
  struct PolicyRuntime {
    int64_t generation = -1;
    std::unique_ptr<PolicyDetectors> detectors;
    std::optional<PolicyEngineState> state;
    std::optional<std::chrono::steady_clock::time_point> next_evaluation;
    bool evaluated = false;  // since the last (re)start or spec change: later waits are exact
  };

  PolicyRuntime& RuntimeFor(const std::string& key);
  void Forget(const std::string& key);
  std::chrono::nanoseconds NextInterval(const api::HealingPolicy& policy);
  kube::ReconcileResult WriteInvalid(Json object, const Error& error);
  kube::ReconcileResult Evaluate(const std::string& key, Json object, api::HealingPolicy& policy,
                                 PolicyRuntime& rt);
  // The target workload (condition TargetFound either way).
  Result<Json> ReadTarget(const api::HealingPolicy& policy, api::HealingPolicyStatus* status);
  // The engine's decisions on `observation`, recorded, then carried out; their ids. An error:
  // the spec does not translate, or the decisions could not be recorded (then taken back).
  Result<std::set<std::string>> DecideAndAct(const std::string& key, Json* object,
                                             const api::HealingPolicy& policy,
                                             PolicyEngineState& state,
                                             const policy::PolicySpec& spec,
                                             const policy::Observation& observation,
                                             const ActionTarget& target, Clock::TimePoint now,
                                             api::HealingPolicyStatus* status);
  void FillStatusFromState(const PolicyEngineState& state, api::HealingPolicyStatus* status) const;
  // The dependencies and callers of `policy` with their own anomalies (board, else status).
  std::vector<policy::RelatedPolicy> RelatedOf(const api::HealingPolicy& policy);

  std::shared_ptr<KubeOperations> kube_;
  std::shared_ptr<policy::DecisionEngine> engine_;
  std::shared_ptr<ScenarioRegistry> scenarios_;
  std::shared_ptr<OperatorMetrics> metrics_;
  std::shared_ptr<Clock> clock_;
  std::shared_ptr<RandomSource> random_;  // interval jitter; none when null
  HealingPolicyReconcilerOptions options_;

  PolicyStateStore store_;
  SignalSampler sampler_;
  DecisionRecorder recorder_;
  PolicyActuator actuator_;
  PolicyBoard board_;

  std::mutex mu_;
  std::map<std::string, std::unique_ptr<PolicyRuntime>> policies_;
};

// "ns/name" -> {ns, name}.
std::pair<std::string, std::string> SplitKey(const std::string& key);

}  // namespace kubeheal::controllers
