#pragma once

#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "kubeheal/common/result.h"
#include "kubeheal/policy/observation.h"
#include "kubeheal/policy/policy_spec.h"

namespace kubeheal::policy {

// One multiwindow burn-rate alert of a HealingPolicy's `slo.burnRateAlerts` (Google SRE
// Workbook, ch. 5): it fires when the error budget burns at least `factor` times faster than
// the objective allows over BOTH windows; the short window makes it clear soon after the burn
// stops.
struct BurnRateAlert {
  std::string long_window;   // as written, a PromQL range ("1h")
  std::string short_window;  // "5m"
  double factor = 1;
  Severity severity = Severity::kWarning;
};

// The CRD's default: 1h/5m 14.4x and 6h/30m 6x critical, 24h/2h 3x warning.
std::vector<BurnRateAlert> DefaultBurnRateAlerts();

// Reads `slo.burnRateAlerts` as the CRD writes it ([{longWindow, shortWindow, factor,
// severity}]); absent or null gives the default. Bad entries are an "InvalidPolicy" error naming
// the field ("spec.slo.burnRateAlerts[1].factor: must be above 0").
Result<std::vector<BurnRateAlert>> ParseBurnRateAlerts(const nlohmann::json& alerts);

// Every distinct window the alerts need, in first-use order: one good/total query pair each.
std::vector<std::string> BurnRateWindows(const std::vector<BurnRateAlert>& alerts);

// Judges an SLO from the error ratio (1 - good/total, 0..1) Prometheus measured over each
// window. The burn rate of a window is its error ratio over the error budget (1 - objective).
// Pure: the caller queries Prometheus, so the windows come from Prometheus' own history and
// survive an operator restart without any warm-up.
//
// Result (as a signal of pattern `errors` unless the caller says otherwise):
// - value: the burn rate (the smaller of long and short) of the alert closest to firing;
//   expected band [0, its factor]; score = 0.5 * burn / factor (0.5 at the alert's own
//   threshold), capped at 1; severity = the highest of the alerts that fire;
// - unavailable when no alert has both windows measured (no traffic, query failed).
// A window missing from `error_ratios` is unknown.
SignalObservation AssessBurnRate(const std::string& signal_name, double objective_percent,
                                 const std::vector<BurnRateAlert>& alerts,
                                 const std::map<std::string, double>& error_ratios);

}  // namespace kubeheal::policy
