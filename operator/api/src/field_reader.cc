#include "field_reader.h"

#include <cmath>

namespace kubeheal::api {

namespace {

// An integer, or a JSON number with a whole value that fits int64_t (3.0, as YAML-to-JSON may
// write it); nullopt for anything else (3.5, 1e30, NaN, a string).
std::optional<int64_t> WholeNumber(const nlohmann::json& v) {
  if (v.is_number_integer()) return v.get<int64_t>();
  if (!v.is_number()) return std::nullopt;
  const double d = v.get<double>();
  constexpr double kLimit = 9223372036854775808.0;  // 2^63
  if (!std::isfinite(d) || std::trunc(d) != d || d < -kLimit || d >= kLimit) return std::nullopt;
  return static_cast<int64_t>(d);
}

const nlohmann::json& EmptyObject() {
  static const nlohmann::json empty = nlohmann::json::object();
  return empty;
}
const nlohmann::json& EmptyArray() {
  static const nlohmann::json empty = nlohmann::json::array();
  return empty;
}
}  // namespace

bool FieldReader::Has(const std::string& key) const {
  return node_.is_object() && node_.contains(key) && !node_.at(key).is_null();
}

std::string FieldReader::Child(const std::string& key) const {
  return path_.empty() ? key : path_ + "." + key;
}

void FieldReader::Fail(const std::string& key, const std::string& message) {
  errors_->push_back((key.empty() ? path_ : Child(key)) + ": " + message);
}

std::string FieldReader::String(const std::string& key, bool required, const std::string& def) {
  if (!Has(key)) {
    if (required) Fail(key, "required");
    return def;
  }
  const auto& v = node_.at(key);
  if (!v.is_string()) {
    Fail(key, "must be a string, got " + v.dump());
    return def;
  }
  auto s = v.get<std::string>();
  if (required && s.empty()) Fail(key, "must not be empty");
  return s;
}

std::optional<std::string> FieldReader::OptionalString(const std::string& key) {
  if (!Has(key)) return std::nullopt;
  return String(key);
}

double FieldReader::Number(const std::string& key, double def, double min, double max) {
  if (!Has(key)) return def;
  const auto& v = node_.at(key);
  double d = def;
  if (v.is_number()) {
    d = v.get<double>();
  } else if (v.is_string()) {
    // Quantities such as "0.5" arrive as strings when a schema uses int-or-string.
    try {
      size_t used = 0;
      d = std::stod(v.get<std::string>(), &used);
      if (used != v.get<std::string>().size()) throw std::invalid_argument("trailing");
    } catch (const std::exception&) {
      Fail(key, "must be a number, got " + v.dump());
      return def;
    }
  } else {
    Fail(key, "must be a number, got " + v.dump());
    return def;
  }
  if (d < min || d > max) {
    Fail(key, "must be between " + nlohmann::json(min).dump() + " and " +
                  nlohmann::json(max).dump() + ", got " + nlohmann::json(d).dump());
    return def;
  }
  return d;
}

int64_t FieldReader::Integer(const std::string& key, int64_t def, int64_t min, int64_t max) {
  if (!Has(key)) return def;
  const auto& v = node_.at(key);
  const std::optional<int64_t> whole = WholeNumber(v);
  if (!whole) {
    Fail(key, "must be an integer, got " + v.dump());
    return def;
  }
  const int64_t i = *whole;
  if (i < min || i > max) {
    Fail(key, "must be between " + std::to_string(min) + " and " + std::to_string(max) + ", got " +
                  std::to_string(i));
    return def;
  }
  return i;
}

bool FieldReader::Bool(const std::string& key, bool def) {
  if (!Has(key)) return def;
  const auto& v = node_.at(key);
  if (!v.is_boolean()) {
    Fail(key, "must be true or false, got " + v.dump());
    return def;
  }
  return v.get<bool>();
}

Millis FieldReader::Duration(const std::string& key, Millis def, bool required) {
  if (!Has(key)) {
    if (required) Fail(key, "required");
    return def;
  }
  const auto& v = node_.at(key);
  if (v.is_number()) return Millis(static_cast<int64_t>(v.get<double>() * 1000));  // seconds
  if (!v.is_string()) {
    Fail(key, "must be a duration such as \"30s\", got " + v.dump());
    return def;
  }
  auto d = ParseDuration(v.get<std::string>());
  if (!d.ok()) {
    Fail(key, d.error().message);
    return def;
  }
  return *d;
}

std::optional<Millis> FieldReader::OptionalDuration(const std::string& key) {
  if (!Has(key)) return std::nullopt;
  return Duration(key, Millis(0));
}

std::string FieldReader::Enum(const std::string& key, const std::vector<std::string>& allowed,
                              const std::string& def, bool required) {
  auto s = String(key, required, def);
  if (!Has(key)) return s;
  for (const auto& a : allowed) {
    if (a == s) return s;
  }
  std::string list;
  for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
  Fail(key, "must be one of " + list + ", got \"" + s + "\"");
  return def;
}

std::vector<std::string> FieldReader::StringList(const std::string& key) {
  std::vector<std::string> out;
  if (!Has(key)) return out;
  const auto& v = node_.at(key);
  if (!v.is_array()) {
    Fail(key, "must be a list of strings");
    return out;
  }
  for (size_t i = 0; i < v.size(); ++i) {
    if (!v[i].is_string()) {
      errors_->push_back(Child(key) + "[" + std::to_string(i) + "]: must be a string");
      continue;
    }
    out.push_back(v[i].get<std::string>());
  }
  return out;
}

const nlohmann::json& FieldReader::Object(const std::string& key, bool required) {
  if (!Has(key)) {
    if (required) Fail(key, "required");
    return EmptyObject();
  }
  const auto& v = node_.at(key);
  if (!v.is_object()) {
    Fail(key, "must be an object");
    return EmptyObject();
  }
  return v;
}

const nlohmann::json& FieldReader::Array(const std::string& key, bool required) {
  if (!Has(key)) {
    if (required) Fail(key, "required");
    return EmptyArray();
  }
  const auto& v = node_.at(key);
  if (!v.is_array()) {
    Fail(key, "must be a list");
    return EmptyArray();
  }
  if (required && v.empty()) Fail(key, "must not be empty");
  return v;
}

Error InvalidObject(const std::string& what, const std::vector<std::string>& errors) {
  std::string msg = what + " is invalid: ";
  for (size_t i = 0; i < errors.size(); ++i) msg += (i ? "; " : "") + errors[i];
  return Error::Terminal("Invalid", msg);
}

}  // namespace kubeheal::api
