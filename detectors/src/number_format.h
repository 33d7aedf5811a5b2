#pragma once
// Short human forms of numbers and durations for explanations.

#include <string>

namespace kubeheal::detectors {

// Four significant digits, e.g. "0.842", "1000", "1.2e+09".
std::string FormatNumber(double value);
// "45 s", "7 min", "3.5 h", "2 d".
std::string FormatDuration(double seconds);

}  // namespace kubeheal::detectors
