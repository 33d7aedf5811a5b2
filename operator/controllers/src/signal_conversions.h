#pragma once
// Conversions between a detector's assessment and what the policy engine and the status carry,
// shared by the reconciler (fed signals) and PolicyDetectors (derived signals).
#include <cmath>
#include <optional>

#include "kubeheal/detectors/severity.h"
#include "kubeheal/policy/observation.h"

namespace kubeheal::controllers {

// NaN and ±Inf (an empty band side, a ratio of zeros) are "no value" in status and metrics.
inline std::optional<double> Finite(double v) {
  return std::isfinite(v) ? std::optional<double>(v) : std::nullopt;
}

inline policy::Severity ToPolicySeverity(detectors::Severity s) {
  switch (s) {
    case detectors::Severity::kNormal: return policy::Severity::kNormal;
    case detectors::Severity::kInfo: return policy::Severity::kInfo;
    case detectors::Severity::kWarning: return policy::Severity::kWarning;
    case detectors::Severity::kCritical: return policy::Severity::kCritical;
  }
  return policy::Severity::kNormal;
}

}  // namespace kubeheal::controllers
