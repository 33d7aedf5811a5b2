#pragma once

#include <string>
#include <vector>

#include "kubeheal/common/clock.h"
#include "kubeheal/policy/decision.h"
#include "kubeheal/policy/observation.h"
#include "kubeheal/policy/policy_spec.h"
#include "kubeheal/policy/policy_state.h"

namespace kubeheal::policy {

// Where one rule's pattern stands in this evaluation.
struct RuleMatch {
  bool configured = true;    // the policy has signals for this pattern at all
  bool triggered = false;    // the pattern holds, and has held for its `for`: act
  bool anomalous = false;    // the rule's signals are anomalous now (`for` aside): not recovered
  bool excluded = false;     // anomalous, but a pattern of `unless` is too (latency with errors)
  std::string excluded_by;   // that pattern's name
  bool unknown = false;      // some signal has no data and none is anomalous: cannot judge
  Seconds recovery_hold{0};  // the longest `for` of its sources: how long normal must last
  std::vector<Evidence> evidence;
  std::string summary;  // "latency 0.92 outside 0.1..0.3 (critical)"
};

// Updates when each signal (and the pod facts) turned anomalous, for `for`. A signal without
// data keeps its previous hold: missing data neither starts nor ends an anomaly.
void UpdateHolds(const PolicySpec& spec, const Observation& observation, Clock::TimePoint now,
                 PolicyState& state);

RuleMatch MatchRule(const Rule& rule, const PolicySpec& spec, const Observation& observation,
                    const PolicyState& state, Clock::TimePoint now);

}  // namespace kubeheal::policy
