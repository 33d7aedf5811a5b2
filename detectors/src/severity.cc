#include "kubeheal/detectors/severity.h"

#include <cmath>

#include "kubeheal/common/enum_names.h"

namespace kubeheal::detectors {

namespace {

constexpr EnumNameTable<Severity, 4> kSeverityNames{{{Severity::kNormal, "normal"},
                                                     {Severity::kInfo, "info"},
                                                     {Severity::kWarning, "warning"},
                                                     {Severity::kCritical, "critical"}}};

}  // namespace

std::string_view SeverityName(Severity severity) {
  return NameOf(kSeverityNames, severity, "normal");
}

std::optional<Severity> ParseSeverity(std::string_view name) {
  return ParseName(kSeverityNames, name);
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
