#pragma once
// Conversions between a query's answer, a detector's assessment and what the policy engine and
// the status carry, shared by SignalSampler (fed signals) and PolicyDetectors (derived signals).
#include <cmath>
#include <optional>

#include "kubeheal/detectors/severity.h"
#include "kubeheal/policy/observation.h"
#include "kubeheal/prom/prometheus_client.h"

namespace kubeheal::controllers {

// NaN and ±Inf (an empty band side, a ratio of zeros) are "no value" in status and metrics.
inline std::optional<double> Finite(double v) {
  return std::isfinite(v) ? std::optional<double>(v) : std::nullopt;
}

inline policy::Severity ToPolicySeverity(detectors::Severity s) {
  switch (s) {
    case detectors::Severity::kNormal:
      return policy::Severity::kNormal;
    case detectors::Severity::kInfo:
      return policy::Severity::kInfo;
    case detectors::Severity::kWarning:
      return policy::Severity::kWarning;
    case detectors::Severity::kCritical:
      return policy::Severity::kCritical;
  }
  return policy::Severity::kNormal;
}

// One number from a query result: the largest finite value of a vector, or the scalar (as the
// reconciler reads signal queries; the SLO's good and total queries too).
inline std::optional<double> PickValue(const prom::QueryResult& r) {
  if (r.type == prom::ResultType::kScalar) return Finite(r.scalar.value);
  std::optional<double> best;
  for (const auto& s : r.series) {
    if (s.samples.empty() || !std::isfinite(s.samples.back().value)) continue;
    if (!best || s.samples.back().value > *best) best = s.samples.back().value;
  }
  return best;
}

}  // namespace kubeheal::controllers
