#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "kubeheal/common/clock.h"
#include "kubeheal/common/result.h"

namespace kubeheal::api {

using Millis = std::chrono::milliseconds;

// Go-style durations as written in the CRDs: "500ms", "30s", "5m", "1h", "1h30m", "2.5s".
// Negative values and unknown units are errors naming the text.
Result<Millis> ParseDuration(std::string_view text);

// The shortest Go-style text for a duration ("90s" -> "1m30s", 1500ms -> "1.5s").
std::string FormatDuration(Millis d);

// RFC 3339 timestamps as Kubernetes writes them ("2026-11-22T08:00:00Z", fractional seconds
// and numeric offsets accepted).
Result<Clock::TimePoint> ParseRfc3339(std::string_view text);

}  // namespace kubeheal::api
