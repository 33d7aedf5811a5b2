#include "param_reader.h"

#include <charconv>
#include <cmath>
#include <string_view>
#include <type_traits>
#include <utility>

namespace kubeheal::detectors {
namespace {

// The whole of `text` as a number (a finite one for floating point).
template <typename T>
bool ParseNumber(const std::string& text, T& out) {
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, out);
  if (text.empty() || ec != std::errc() || ptr != end) return false;
  if constexpr (std::is_floating_point_v<T>) return std::isfinite(out);
  return true;
}

template <typename T>
std::string Between(T min, T max) {
  return "must be between " + std::to_string(min) + " and " + std::to_string(max);
}

}  // namespace

bool ParseDurationSeconds(const std::string& text, double& seconds) {
  if (text.empty()) return false;
  constexpr std::pair<char, double> kUnits[] = {{'s', 1}, {'m', 60}, {'h', 3600}, {'d', 86400}};
  double scale = 1;
  std::string number = text;
  for (const auto& [unit, unit_seconds] : kUnits) {
    if (text.back() == unit) {
      scale = unit_seconds;
      number.pop_back();
      break;
    }
  }
  double value = 0;
  if (!ParseNumber(number, value) || value < 0) return false;
  seconds = value * scale;
  return true;
}

const std::string* ParamReader::Raw(const std::string& name) {
  known_.insert(name);
  auto it = params_.find(name);
  return it == params_.end() ? nullptr : &it->second;
}

void ParamReader::Fail(const std::string& name, const std::string& problem) {
  if (first_error_.empty()) {
    first_error_ = "detector '" + detector_ + "': parameter '" + name + "' " + problem;
  }
}

template <typename T, typename Parse, typename OutOfRange>
T ParamReader::Read(const std::string& name, T fallback, Parse parse, std::string_view expected,
                    OutOfRange out_of_range) {
  const std::string* raw = Raw(name);
  if (raw == nullptr) return fallback;
  T v{};
  if (!parse(*raw, v)) {
    Fail(name, "must be " + std::string(expected) + ", got '" + *raw + "'");
    return fallback;
  }
  if (const std::string problem = out_of_range(v); !problem.empty()) {
    Fail(name, problem + ", got " + *raw);
    return fallback;
  }
  return v;
}

double ParamReader::Number(const std::string& name, double fallback, double min, double max) {
  return Read(name, fallback, ParseNumber<double>, "a number",
              [&](double v) { return v < min || v > max ? Between(min, max) : std::string(); });
}

double ParamReader::PositiveNumber(const std::string& name, double fallback, double max) {
  return Read(name, fallback, ParseNumber<double>, "a number", [&](double v) {
    return !(v > 0) || v > max ? "must be above 0 and at most " + std::to_string(max)
                               : std::string();
  });
}

long ParamReader::Integer(const std::string& name, long fallback, long min, long max) {
  return Read(name, fallback, ParseNumber<long>, "an integer",
              [&](long v) { return v < min || v > max ? Between(min, max) : std::string(); });
}

double ParamReader::Duration(const std::string& name, double fallback) {
  return Read(name, fallback, ParseDurationSeconds, "a duration like 90s, 5m, 1h or 3d",
              [](double) { return std::string(); });
}

std::string ParamReader::Text(const std::string& name, const std::string& fallback) {
  const std::string* raw = Raw(name);
  return raw == nullptr ? fallback : *raw;
}

Status ParamReader::Finish() const {
  if (!first_error_.empty()) return Error::Invalid(first_error_);
  for (const auto& [name, value] : params_) {
    if (known_.count(name) == 0) {
      std::string list;
      for (const std::string& k : known_) list += (list.empty() ? "" : ", ") + k;
      return Error::Invalid("detector '" + detector_ + "': unknown parameter '" + name +
                            "' (known: " + list + ")");
    }
  }
  return {};
}

}  // namespace kubeheal::detectors
