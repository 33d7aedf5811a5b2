#pragma once

#include <optional>
#include <string_view>

namespace kubeheal::detectors {

// How loud an assessment is, in the order an operator escalates.
enum class Severity { kNormal = 0, kInfo = 1, kWarning = 2, kCritical = 3 };

std::string_view SeverityName(Severity severity);  // "normal", "info", "warning", "critical"
std::optional<Severity> ParseSeverity(std::string_view name);

// Maps deviation / alert-threshold to a severity: below 0.75 normal, below 1 info (close to
// the band edge), below 2 warning, else critical. Shared so all detectors escalate alike.
Severity SeverityFromRatio(double ratio);

// Maps the same ratio to a score in [0,1] that reaches 0.5 exactly at the alert threshold.
double ScoreFromRatio(double ratio);

}  // namespace kubeheal::detectors
