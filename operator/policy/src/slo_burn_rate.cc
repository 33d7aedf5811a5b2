#include "kubeheal/policy/slo_burn_rate.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <optional>

namespace kubeheal::policy {
namespace {

// Seconds of a PromQL range ("1h30m", "5m", "90s"); nullopt when it is not one.
std::optional<double> RangeSeconds(const std::string& text) {
  if (text.empty()) return std::nullopt;
  double total = 0;
  size_t i = 0;
  while (i < text.size()) {
    size_t digits = i;
    while (digits < text.size() && std::isdigit(static_cast<unsigned char>(text[digits]))) ++digits;
    if (digits == i) return std::nullopt;
    const double n = std::stod(text.substr(i, digits - i));
    size_t unit_end = digits;
    while (unit_end < text.size() && std::isalpha(static_cast<unsigned char>(text[unit_end]))) {
      ++unit_end;
    }
    const std::string unit = text.substr(digits, unit_end - digits);
    double scale = 0;
    if (unit == "ms")
      scale = 0.001;
    else if (unit == "s")
      scale = 1;
    else if (unit == "m")
      scale = 60;
    else if (unit == "h")
      scale = 3600;
    else if (unit == "d")
      scale = 86400;
    else if (unit == "w")
      scale = 7 * 86400;
    else
      return std::nullopt;
    total += n * scale;
    i = unit_end;
  }
  return total > 0 ? std::optional<double>(total) : std::nullopt;
}

Error Invalid(const std::string& where, const std::string& what) {
  return Error::Terminal("InvalidPolicy", "spec.slo.burnRateAlerts" + where + ": " + what);
}

std::string Fixed(double v, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

}  // namespace

std::vector<BurnRateAlert> DefaultBurnRateAlerts() {
  return {{"1h", "5m", 14.4, Severity::kCritical},
          {"6h", "30m", 6, Severity::kCritical},
          {"24h", "2h", 3, Severity::kWarning}};
}

Result<std::vector<BurnRateAlert>> ParseBurnRateAlerts(const nlohmann::json& alerts) {
  if (alerts.is_null()) return DefaultBurnRateAlerts();
  if (!alerts.is_array()) return Invalid("", "must be a list");
  if (alerts.empty()) return DefaultBurnRateAlerts();
  std::vector<BurnRateAlert> out;
  for (size_t i = 0; i < alerts.size(); ++i) {
    const auto& a = alerts[i];
    const std::string at = "[" + std::to_string(i) + "]";
    if (!a.is_object()) return Invalid(at, "must be an object");
    BurnRateAlert alert;
    for (auto [key, field] : {std::pair{"longWindow", &alert.long_window},
                              std::pair{"shortWindow", &alert.short_window}}) {
      if (!a.contains(key) || !a[key].is_string()) return Invalid(at + "." + key, "required");
      *field = a[key].get<std::string>();
      if (!RangeSeconds(*field)) {
        return Invalid(at + "." + key, "'" + *field + "' is not a PromQL range such as 5m or 1h");
      }
    }
    if (*RangeSeconds(alert.short_window) >= *RangeSeconds(alert.long_window)) {
      return Invalid(at + ".shortWindow", "must be shorter than longWindow");
    }
    if (!a.contains("factor") || !a["factor"].is_number() || !(a["factor"].get<double>() > 0)) {
      return Invalid(at + ".factor", "must be a number above 0");
    }
    alert.factor = a["factor"].get<double>();
    const std::string severity = a.value("severity", std::string("warning"));
    auto parsed = ParseSeverity(severity);
    if (!parsed || *parsed == Severity::kNormal) {
      return Invalid(at + ".severity", "must be info, warning or critical, got '" + severity + "'");
    }
    alert.severity = *parsed;
    out.push_back(std::move(alert));
  }
  return out;
}

std::vector<std::string> BurnRateWindows(const std::vector<BurnRateAlert>& alerts) {
  std::vector<std::string> out;
  for (const auto& a : alerts) {
    for (const auto* w : {&a.long_window, &a.short_window}) {
      if (std::find(out.begin(), out.end(), *w) == out.end()) out.push_back(*w);
    }
  }
  return out;
}

SignalObservation AssessBurnRate(const std::string& signal_name, double objective_percent,
                                 const std::vector<BurnRateAlert>& alerts,
                                 const std::map<std::string, double>& error_ratios) {
  SignalObservation o;
  o.name = signal_name;
  const double budget = 1.0 - objective_percent / 100.0;
  if (!(budget > 0) || !(budget < 1)) {
    o.available = false;
    o.explanation = "objective " + Fixed(objective_percent, 3) + "% leaves no error budget";
    return o;
  }
  auto burn = [&](const std::string& window) -> std::optional<double> {
    auto it = error_ratios.find(window);
    if (it == error_ratios.end() || !std::isfinite(it->second)) return std::nullopt;
    return std::clamp(it->second, 0.0, 1.0) / budget;
  };
  // The alert closest to firing (highest burn/factor) gives the value and band; every firing
  // alert raises the severity.
  std::optional<double> best_ratio;
  std::string firing;
  for (const auto& a : alerts) {
    const auto long_burn = burn(a.long_window);
    const auto short_burn = burn(a.short_window);
    if (!long_burn || !short_burn) continue;
    const double level = std::min(*long_burn, *short_burn);
    if (!best_ratio || level / a.factor > *best_ratio) {
      best_ratio = level / a.factor;
      o.value = level;
      o.expected_low = 0;
      o.expected_high = a.factor;
    }
    if (level >= a.factor) {
      o.anomalous = true;
      o.severity = std::max(o.severity, a.severity);
      firing += std::string(firing.empty() ? "" : "; ") + "burn rate " + Fixed(*long_burn, 1) +
                "x over " + a.long_window + " and " + Fixed(*short_burn, 1) + "x over " +
                a.short_window + " >= " + Fixed(a.factor, 1) + "x";
    }
  }
  if (!best_ratio) {
    o.available = false;
    o.explanation = "no burn-rate window measured (no events, or the queries failed)";
    return o;
  }
  o.score = std::min(1.0, 0.5 * *best_ratio);
  const std::string objective = "objective " + Fixed(objective_percent, 3) + "%";
  o.explanation =
      o.anomalous ? firing + " (" + objective + ")"
                  : "burn rate " + Fixed(o.value, 2) + "x, below every alert (" + objective + ")";
  return o;
}

}  // namespace kubeheal::policy
