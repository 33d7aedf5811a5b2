#include "kubeheal/api/duration.h"

#include <cctype>
#include <cmath>
#include <cstdio>
#include <ctime>

namespace kubeheal::api {
namespace {

Error BadDuration(std::string_view text, const std::string& why) {
  return Error::Terminal("InvalidDuration", "invalid duration \"" + std::string(text) + "\": " +
                                                why + " (use e.g. 500ms, 30s, 5m, 1h, 1h30m)");
}

}  // namespace

Result<Millis> ParseDuration(std::string_view text) {
  if (text.empty()) return BadDuration(text, "empty");
  if (text == "0") return Millis(0);
  double total_ms = 0;
  size_t i = 0;
  while (i < text.size()) {
    const size_t start = i;
    while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.'))
      ++i;
    if (i == start) {
      return BadDuration(text, text[i] == '-' ? "must not be negative" : "expected a number");
    }
    const std::string number(text.substr(start, i - start));
    char* end = nullptr;
    const double value = std::strtod(number.c_str(), &end);
    if (end != number.c_str() + number.size()) return BadDuration(text, "bad number " + number);
    const size_t unit_start = i;
    while (i < text.size() && std::isalpha(static_cast<unsigned char>(text[i]))) ++i;
    const std::string_view unit = text.substr(unit_start, i - unit_start);
    double factor = 0;
    if (unit == "ms")
      factor = 1;
    else if (unit == "s")
      factor = 1000;
    else if (unit == "m")
      factor = 60'000;
    else if (unit == "h")
      factor = 3'600'000;
    else if (unit.empty())
      return BadDuration(text, "missing unit after " + number);
    else
      return BadDuration(text, "unknown unit \"" + std::string(unit) + "\"");
    total_ms += value * factor;
  }
  if (!std::isfinite(total_ms) || total_ms > 1e15) return BadDuration(text, "too large");
  return Millis(static_cast<int64_t>(std::llround(total_ms)));
}

std::string FormatDuration(Millis d) {
  int64_t ms = d.count();
  if (ms == 0) return "0s";
  std::string out;
  if (ms < 0) {
    out = "-";
    ms = -ms;
  }
  if (ms < 1000) return out + std::to_string(ms) + "ms";
  const int64_t hours = ms / 3'600'000;
  ms %= 3'600'000;
  const int64_t minutes = ms / 60'000;
  ms %= 60'000;
  if (hours > 0) out += std::to_string(hours) + "h";
  if (minutes > 0) out += std::to_string(minutes) + "m";
  if (ms > 0) {
    const int64_t secs = ms / 1000;
    const int64_t frac = ms % 1000;
    out += std::to_string(secs);
    if (frac > 0) {
      char buf[8];
      std::snprintf(buf, sizeof buf, ".%03lld", static_cast<long long>(frac));
      std::string f(buf);
      while (f.back() == '0') f.pop_back();
      out += f;
    }
    out += "s";
  }
  return out;
}

Result<Clock::TimePoint> ParseRfc3339(std::string_view text) {
  const std::string s(text);
  std::tm tm{};
  int consumed = 0;
  if (std::sscanf(s.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                  &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &consumed) != 6) {
    return Error::Terminal("InvalidTimestamp", "invalid RFC 3339 time \"" + s + "\"");
  }
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  auto t = Clock::TimePoint(std::chrono::seconds(timegm(&tm)));
  size_t i = static_cast<size_t>(consumed);
  if (i < s.size() && s[i] == '.') {
    size_t start = ++i;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
    std::string frac = s.substr(start, i - start).substr(0, 9);
    frac.resize(9, '0');
    t += std::chrono::nanoseconds(std::stoll(frac));
  }
  if (i < s.size() && (s[i] == 'Z' || s[i] == 'z')) return t;
  int oh = 0, om = 0;
  if (i < s.size() && (s[i] == '+' || s[i] == '-') &&
      std::sscanf(s.c_str() + i + 1, "%2d:%2d", &oh, &om) == 2) {
    const auto offset = std::chrono::hours(oh) + std::chrono::minutes(om);
    return s[i] == '+' ? t - offset : t + offset;
  }
  return Error::Terminal("InvalidTimestamp", "RFC 3339 time \"" + s + "\" lacks a zone");
}

}  // namespace kubeheal::api
