#include "kubeheal/controllers/decision_recorder.h"

#include <utility>

#include "kubeheal/common/logger.h"
#include "kubeheal/policy/explanation.h"

namespace kubeheal::controllers {

DecisionRecorder::DecisionRecorder(std::shared_ptr<KubeOperations> kube,
                                   std::shared_ptr<OperatorMetrics> metrics,
                                   std::shared_ptr<Clock> clock)
    : kube_(std::move(kube)), metrics_(std::move(metrics)), clock_(std::move(clock)) {}

void DecisionRecorder::Detected(const std::string& key, const Json& policy_object,
                                const std::vector<api::SignalStatus>& signals,
                                const policy::Evaluation& evaluation, const std::string& scenario) {
  std::string signal_name;
  for (const auto& s : signals) {
    if (s.anomalous && signal_name.empty()) signal_name = s.name;
  }
  // A crash or not-ready detection comes from the workload's pods, not from a signal: name
  // what the decision's evidence names (crashingPods, notReadyPods).
  for (const auto& d : evaluation.decisions) {
    for (const auto& e : d.evidence) {
      if (signal_name.empty() && !e.signal.empty()) signal_name = e.signal;
    }
  }
  if (signal_name.empty()) signal_name = "workload";
  metrics_->Detection(key, signal_name);
  Log().Info("anomaly detected",
             {{"policy", key}, {"signal", signal_name}, {"scenario", scenario}});
  (void)kube_->RecordEvent(policy_object, "Warning", "AnomalyDetected",
                           "anomaly on signal " + signal_name +
                               (scenario.empty() ? "" : " during FaultScenario " + scenario));
}

void DecisionRecorder::Decisions(const Json& policy_object, const Json& workload,
                                 const std::string& policy_name,
                                 const std::vector<policy::Decision>& decisions) {
  for (const auto& d : decisions) {
    const std::string action = d.revert ? std::string("revert ") + policy::ActionTypeName(d.action)
                                        : policy::ActionTypeName(d.action);
    const std::string message =
        (d.dry_run ? "dry run, would " : "") + action + " (rule " + d.rule + "): " + d.reason;
    const char* type = d.dry_run ? "Normal" : "Warning";
    const char* reason = d.dry_run ? "DryRunAction" : "HealingAction";
    (void)kube_->RecordEvent(policy_object, type, reason, message);
    (void)kube_->RecordEvent(workload, type, reason,
                             message + " [HealingPolicy " + policy_name + "]");
  }
}

void DecisionRecorder::Waiting(const Json& policy_object, const policy::Evaluation& evaluation,
                               api::HealingPolicyStatus* status) {
  status->waiting_on.clear();
  std::string message;
  for (const auto& w : evaluation.waiting) {
    status->waiting_on.push_back({w.because.policy, policy::RelationName(w.because.relation),
                                  w.rule, policy::Describe(w.because)});
    message += (message.empty() ? "" : "; ") + std::string("rule ") + w.rule +
               " takes no action while " + policy::Describe(w.because);
  }
  const bool waiting = !status->waiting_on.empty();
  const auto* before = api::FindCondition(status->conditions, kWaitingOnDependency);
  const bool was_waiting = before != nullptr && before->status == "True";
  api::SetCondition(&status->conditions,
                    {kWaitingOnDependency, waiting ? "True" : "False",
                     waiting ? "RelatedPolicyAnomalous" : "NoRelatedAnomaly",
                     waiting ? message : "no anomaly of this policy is explained by another", "",
                     status->observed_generation},
                    clock_->Now());
  if (waiting && !was_waiting) {
    (void)kube_->RecordEvent(policy_object, "Normal", kWaitingOnDependency, message);
    Log().Info("waiting on a related policy",
               {{"policy", api::TextOr(policy_object["metadata"], "namespace") + "/" +
                               api::TextOr(policy_object["metadata"], "name")},
                {"reason", message}});
  }
}

bool DecisionRecorder::Anomalous(const policy::Evaluation& evaluation,
                                 api::HealingPolicyStatus* status) {
  const bool anomalous = evaluation.phase == policy::Phase::kAnomalous ||
                         evaluation.phase == policy::Phase::kRemediating ||
                         evaluation.phase == policy::Phase::kExhausted;
  std::string notes;
  for (const auto& n : evaluation.notes) notes += (notes.empty() ? "" : "; ") + n;
  api::SetCondition(
      &status->conditions,
      {"Anomalous", anomalous ? "True" : "False", anomalous ? "AnomalyHeld" : "SignalsNormal",
       notes.empty() ? (anomalous ? "an anomaly holds" : "all signals normal") : notes, "",
       status->observed_generation},
      clock_->Now());
  return anomalous;
}

}  // namespace kubeheal::controllers
