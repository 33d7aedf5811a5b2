#pragma once

#include <optional>
#include <string>

#include "kubeheal/common/clock.h"
#include "kubeheal/policy/observation.h"
#include "kubeheal/policy/policy_spec.h"

namespace kubeheal::policy {

// Why an anomaly of this policy is another policy's: acting on this workload would not heal it.
struct Explanation {
  std::string policy;  // the related HealingPolicy (same namespace)
  Relation relation = Relation::kDependency;
  Pattern pattern = Pattern::kCustom;  // the related policy's anomaly
  std::string summary;
};

// Whether `pattern`, anomalous in this policy, is explained by a related policy's own anomaly
// seen within observation.related_grace of `now`:
//   latency, errors  by a dependency anomalous on any pattern (a slow or failing service makes
//                    its callers slow or failing; throttling or scaling a caller heals nothing)
//   traffic          by a caller with a traffic anomaly (the surge comes through it)
//   crash, notReady, memory, custom: never (they are the workload's own).
// Dependencies first; among them an anomaly of the same pattern first, then the first match in
// the order given.
std::optional<Explanation> Explain(Pattern pattern, const Observation& observation,
                                   Clock::TimePoint now);

// "latency of payments (dependency): p99-latency 1.2 outside -inf..0.4"
std::string Describe(const Explanation& explanation);

}  // namespace kubeheal::policy
