#include "kubeheal/detectors/severity.h"

#include <cmath>

namespace kubeheal::detectors {

std::string_view SeverityName(Severity severity) {
  switch (severity) {
    case Severity::kNormal:
      return "normal";
    case Severity::kInfo:
      return "info";
    case Severity::kWarning:
      return "warning";
    case Severity::kCritical:
      return "critical";
  }
  return "normal";
}

std::optional<Severity> ParseSeverity(std::string_view name) {
  for (Severity s : {Severity::kNormal, Severity::kInfo, Severity::kWarning, Severity::kCritical}) {
    if (SeverityName(s) == name) return s;
  }
  return std::nullopt;
}

Severity SeverityFromRatio(double ratio) {
  if (!(ratio >= 0.75)) return Severity::kNormal;  // also catches NaN
  if (ratio < 1.0) return Severity::kInfo;
  if (ratio < 2.0) return Severity::kWarning;
  return Severity::kCritical;
}

double ScoreFromRatio(double ratio) {
  if (!(ratio > 0)) return 0.0;
  if (std::isinf(ratio)) return 1.0;
  // ratio^2 / (1 + ratio^2): 0.5 at the threshold, 0.8 at twice it, 0.9 at three times.
  double r2 = ratio * ratio;
  return r2 / (1.0 + r2);
}

}  // namespace kubeheal::detectors
