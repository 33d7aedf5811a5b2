#include "kubeheal/policy/policy_spec.h"

namespace kubeheal::policy {

std::vector<Rule> DefaultPlaybook() {
  using A = ActionType;
  auto rule = [](const char* name, Pattern pattern, std::vector<ActionType> actions,
                 std::vector<Pattern> unless = {}) {
    Rule r;
    r.name = name;
    r.pattern = pattern;
    r.actions = std::move(actions);
    r.unless = std::move(unless);
    return r;
  };
  // Least disruptive first; an alert closes every ladder so a human hears of what did not heal.
  // Same rules as the CRD's default (operator/api DefaultRules).
  return {
      rule("crash", Pattern::kCrash, {A::kRestart, A::kAlert}),
      rule("not-ready", Pattern::kNotReady, {A::kRestart, A::kAlert}),
      rule("errors", Pattern::kErrors, {A::kCircuitBreak, A::kRestart, A::kAlert}),
      rule("latency", Pattern::kLatency, {A::kThrottle, A::kScale, A::kAlert}, {Pattern::kErrors}),
      rule("traffic", Pattern::kTraffic, {A::kScale, A::kAlert}),
      rule("memory", Pattern::kMemory, {A::kRestart, A::kAlert})};
}

const std::vector<Rule>& EffectiveRules(const PolicySpec& spec) {
  static const std::vector<Rule> kDefault = DefaultPlaybook();
  return spec.rules.empty() ? kDefault : spec.rules;
}

}  // namespace kubeheal::policy
