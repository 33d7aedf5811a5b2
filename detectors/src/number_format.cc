#include "number_format.h"

#include <cmath>
#include <cstdio>

namespace kubeheal::detectors {

std::string FormatNumber(double value) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4g", value);
  return buf;
}

std::string FormatDuration(double seconds) {
  if (!std::isfinite(seconds)) return "never";
  if (seconds < 120) return FormatNumber(std::round(seconds)) + " s";
  if (seconds < 7200) return FormatNumber(std::round(seconds / 60)) + " min";
  if (seconds < 172800) return FormatNumber(seconds / 3600) + " h";
  return FormatNumber(seconds / 86400) + " d";
}

}  // namespace kubeheal::detectors
