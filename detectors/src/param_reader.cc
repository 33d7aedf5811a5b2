#include "param_reader.h"

#include <charconv>
#include <cmath>

namespace kubeheal::detectors {
namespace {

bool ParseDouble(const std::string& text, double& out) {
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, out);
  return !text.empty() && ec == std::errc() && ptr == end && std::isfinite(out);
}

}  // namespace

bool ParseDurationSeconds(const std::string& text, double& seconds) {
  if (text.empty()) return false;
  double scale = 1;
  std::string number = text;
  switch (text.back()) {
    case 's':
      scale = 1;
      number.pop_back();
      break;
    case 'm':
      scale = 60;
      number.pop_back();
      break;
    case 'h':
      scale = 3600;
      number.pop_back();
      break;
    case 'd':
      scale = 86400;
      number.pop_back();
      break;
    default:
      break;
  }
  double value = 0;
  if (!ParseDouble(number, value) || value < 0) return false;
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

double ParamReader::Number(const std::string& name, double fallback, double min, double max) {
  const std::string* raw = Raw(name);
  if (raw == nullptr) return fallback;
  double v = 0;
  if (!ParseDouble(*raw, v)) {
    Fail(name, "must be a number, got '" + *raw + "'");
    return fallback;
  }
  if (v < min || v > max) {
    Fail(name, "must be between " + std::to_string(min) + " and " + std::to_string(max) + ", got " +
                   *raw);
    return fallback;
  }
  return v;
}

double ParamReader::PositiveNumber(const std::string& name, double fallback, double max) {
  const std::string* raw = Raw(name);
  if (raw == nullptr) return fallback;
  double v = 0;
  if (!ParseDouble(*raw, v)) {
    Fail(name, "must be a number, got '" + *raw + "'");
    return fallback;
  }
  if (!(v > 0) || v > max) {
    Fail(name, "must be above 0 and at most " + std::to_string(max) + ", got " + *raw);
    return fallback;
  }
  return v;
}

long ParamReader::Integer(const std::string& name, long fallback, long min, long max) {
  const std::string* raw = Raw(name);
  if (raw == nullptr) return fallback;
  long v = 0;
  const char* end = raw->data() + raw->size();
  auto [ptr, ec] = std::from_chars(raw->data(), end, v);
  if (raw->empty() || ec != std::errc() || ptr != end) {
    Fail(name, "must be an integer, got '" + *raw + "'");
    return fallback;
  }
  if (v < min || v > max) {
    Fail(name, "must be between " + std::to_string(min) + " and " + std::to_string(max) + ", got " +
                   *raw);
    return fallback;
  }
  return v;
}

double ParamReader::Duration(const std::string& name, double fallback) {
  const std::string* raw = Raw(name);
  if (raw == nullptr) return fallback;
  double v = 0;
  if (!ParseDurationSeconds(*raw, v)) {
    Fail(name, "must be a duration like 90s, 5m, 1h or 3d, got '" + *raw + "'");
    return fallback;
  }
  return v;
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
