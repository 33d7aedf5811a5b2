#include "kubeheal/policy/policy_spec.h"

namespace kubeheal::policy {

std::vector<Rule> DefaultPlaybook() {
  using A = ActionType;
  // Least disruptive first; an alert closes every ladder so a human hears of what did not heal.
  return {
      {"crash", Pattern::kCrash, {}, {A::kRestart, A::kAlert}},
      {"high-error-rate", Pattern::kHighErrorRate, {}, {A::kCircuitBreak, A::kRestart, A::kAlert}},
      {"high-latency", Pattern::kHighLatency, {}, {A::kThrottle, A::kScale, A::kRestart, A::kAlert}},
      {"traffic-spike", Pattern::kTrafficSpike, {}, {A::kScale, A::kThrottle, A::kAlert}},
      {"memory-growth", Pattern::kMemoryGrowth, {}, {A::kRestart, A::kAlert}},
  };
}

const std::vector<Rule>& EffectiveRules(const PolicySpec& spec) {
  static const std::vector<Rule> kDefault = DefaultPlaybook();
  return spec.rules.empty() ? kDefault : spec.rules;
}

}  // namespace kubeheal::policy
