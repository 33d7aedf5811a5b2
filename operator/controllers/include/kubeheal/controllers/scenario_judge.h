#pragma once

#include <memory>
#include <optional>
#include <string>

#include "kubeheal/api/fault_scenario.h"
#include "kubeheal/common/clock.h"
#include "kubeheal/controllers/kube_operations.h"
#include "kubeheal/controllers/operator_metrics.h"
#include "kubeheal/policy/policy_state.h"

namespace kubeheal::controllers {

// The judge step of a FaultScenario with `expect`: follows the named HealingPolicy's engine state
// (read from its status) and records in the scenario's status when it detected and recovered,
// MTTD and MTTR (both from the start of injection), the actions it took, and the verdict with
// its reason. Stateless; thread-safe.
class ScenarioJudge {
 public:
  ScenarioJudge(std::shared_ptr<KubeOperations> kube, std::shared_ptr<OperatorMetrics> metrics,
                std::shared_ptr<Clock> clock);

  // Fills detection, recovery, actions and, once it is known, the verdict; true once the verdict
  // is final (or there is nothing to judge). `injection_over`: a missing recovery fails only
  // after the faults ended.
  bool Judge(api::FaultScenario& sc, Clock::TimePoint start, bool injection_over);

 private:
  // Detection, recovery and actions from the policy's state, where they are new since `start`.
  static void Observe(const policy::PolicyState& state, Clock::TimePoint start,
                      api::FaultScenarioStatus* status);
  // The verdict from what was observed, if one can be given now; `unreadable`: why the policy
  // could not be read (empty when it could).
  std::optional<std::pair<std::string, std::string>> Verdict(const api::FaultScenario& sc,
                                                             Clock::TimePoint start,
                                                             bool injection_over,
                                                             const std::string& unreadable) const;

  std::shared_ptr<KubeOperations> kube_;
  std::shared_ptr<OperatorMetrics> metrics_;
  std::shared_ptr<Clock> clock_;
};

}  // namespace kubeheal::controllers
