#include <set>
#include <string>

#include "kubeheal/policy/decision_engine.h"

namespace kubeheal::policy {
namespace {

Error Invalid(const PolicySpec& spec, const std::string& what) {
  return Error::Terminal("InvalidPolicy",
                         "policy " + spec.namespace_name + "/" + spec.name + ": " + what);
}

}  // namespace

Status ValidatePolicySpec(const PolicySpec& spec) {
  std::set<std::string> signals;
  for (size_t i = 0; i < spec.signals.size(); ++i) {
    const auto& s = spec.signals[i];
    const std::string where = "signals[" + std::to_string(i) + "]";
    if (s.name.empty()) return Invalid(spec, where + ".name is empty");
    if (!signals.insert(s.name).second)
      return Invalid(spec, where + ".name \"" + s.name + "\" is repeated");
    if (s.hold_for.count() < 0) return Invalid(spec, where + ".for is negative");
  }
  std::set<std::string> rules;
  const auto& effective = EffectiveRules(spec);
  for (size_t i = 0; i < effective.size(); ++i) {
    const auto& r = effective[i];
    const std::string where = "rules[" + std::to_string(i) + "]";
    if (r.name.empty()) return Invalid(spec, where + ".name is empty");
    if (!rules.insert(r.name).second)
      return Invalid(spec, where + ".name \"" + r.name + "\" is repeated");
    if (r.actions.empty()) return Invalid(spec, where + ".actions is empty");
    if (r.pattern == Pattern::kCustom && r.signals.empty()) {
      return Invalid(spec, where + ": a custom rule needs signals");
    }
    for (const auto p : r.unless) {
      if (p == r.pattern) return Invalid(spec, where + ".unless contains the rule's own pattern");
    }
    for (const auto& name : r.signals) {
      if (!signals.count(name)) {
        return Invalid(spec, where + ".signals names \"" + name + "\", which is not a signal");
      }
    }
  }
  const auto& a = spec.actions;
  if (a.throttle.rps <= 0) return Invalid(spec, "actions.throttle.rps must be positive");
  if (a.throttle.burst < 0) return Invalid(spec, "actions.throttle.burst is negative");
  if (a.circuit_break.duration.count() <= 0)
    return Invalid(spec, "actions.circuitBreak.duration must be positive");
  if (a.scale.step <= 0) return Invalid(spec, "actions.scale.step must be positive");
  if (a.scale.min_replicas < 0) return Invalid(spec, "actions.scale.minReplicas is negative");
  if (a.scale.min_replicas > a.scale.max_replicas) {
    return Invalid(spec, "actions.scale.minReplicas (" + std::to_string(a.scale.min_replicas) +
                             ") is above maxReplicas (" + std::to_string(a.scale.max_replicas) +
                             ")");
  }
  for (const auto v : {a.throttle.verify_after, a.circuit_break.verify_after, a.scale.verify_after,
                       a.restart.verify_after, a.alert.verify_after, a.throttle.max_duration,
                       a.scale.scale_back_after}) {
    if (v.count() < 0)
      return Invalid(spec,
                     "actions: verifyAfter, maxDuration and scaleBackAfter cannot be negative");
  }
  if (spec.guardrails.cooldown.count() < 0) return Invalid(spec, "guardrails.cooldown is negative");
  if (spec.guardrails.max_actions_per_hour < 0) {
    return Invalid(spec, "guardrails.maxActionsPerHour is negative");
  }
  return Status::Ok();
}

}  // namespace kubeheal::policy
