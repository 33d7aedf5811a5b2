#pragma once

#include <memory>
#include <string>
#include <vector>

#include "kubeheal/api/healing_policy.h"
#include "kubeheal/common/clock.h"
#include "kubeheal/controllers/kube_operations.h"
#include "kubeheal/controllers/operator_metrics.h"
#include "kubeheal/policy/decision.h"

namespace kubeheal::controllers {

// Condition (and Event reason) of a policy whose rule waits on a related policy.
inline constexpr const char* kWaitingOnDependency = "WaitingOnDependency";

// The record step of an evaluation: what the policy saw and decided, said where an SRE looks
// (Events on the policy and its workload, the log, /metrics, status conditions) before anything
// is carried out. The status write itself is PolicyStateStore's. Stateless; thread-safe.
class DecisionRecorder {
 public:
  DecisionRecorder(std::shared_ptr<KubeOperations> kube, std::shared_ptr<OperatorMetrics> metrics,
                   std::shared_ptr<Clock> clock);

  // A new detection episode: kubeheal_detections_total, a log line and a Warning Event
  // AnomalyDetected naming the signal (the first anomalous one, else what the decisions'
  // evidence names, else "workload") and the drill running, if any.
  void Detected(const std::string& key, const Json& policy_object,
                const std::vector<api::SignalStatus>& signals, const policy::Evaluation& evaluation,
                const std::string& scenario);

  // One Event per decision on the policy and one on its workload (HealingAction, or
  // DryRunAction for a dry run), before the decision is carried out.
  void Decisions(const Json& policy_object, const Json& workload, const std::string& policy_name,
                 const std::vector<policy::Decision>& decisions);

  // Condition WaitingOnDependency and status.waitingOn from the rules that wait on a related
  // policy; an Event and a log line when waiting starts.
  void Waiting(const Json& policy_object, const policy::Evaluation& evaluation,
               api::HealingPolicyStatus* status);

  // Condition Anomalous from the evaluation's phase, with the engine's notes as its message;
  // whether an anomaly holds (Anomalous, Remediating, Exhausted).
  bool Anomalous(const policy::Evaluation& evaluation, api::HealingPolicyStatus* status);

 private:
  std::shared_ptr<KubeOperations> kube_;
  std::shared_ptr<OperatorMetrics> metrics_;
  std::shared_ptr<Clock> clock_;
};

}  // namespace kubeheal::controllers
