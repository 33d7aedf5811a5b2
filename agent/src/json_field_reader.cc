#include "kubeheal/agent/json_field_reader.h"

#include <cmath>

namespace kubeheal::agent {
namespace {

std::string formatNumber(double value) {
  if (std::floor(value) == value && std::fabs(value) < 1e15) {
    return std::to_string(static_cast<long long>(value));
  }
  return std::to_string(value);
}

}  // namespace

JsonFieldReader::JsonFieldReader(const nlohmann::json& object, std::string pathPrefix)
    : object_(object), pathPrefix_(std::move(pathPrefix)) {
  if (!object_.is_object()) fail("", "must be a JSON object");
}

std::string JsonFieldReader::pathOf(const std::string& name) const {
  if (pathPrefix_.empty()) return name;
  if (name.empty()) return pathPrefix_;
  return pathPrefix_ + "." + name;
}

void JsonFieldReader::fail(const std::string& name, const std::string& message) {
  if (!error_) error_ = Error::InvalidField(pathOf(name), message);
}

bool JsonFieldReader::has(const std::string& name) {
  known_.insert(name);
  if (!object_.is_object()) return false;
  auto it = object_.find(name);
  return it != object_.end() && !it->is_null();
}

const nlohmann::json* JsonFieldReader::member(const std::string& name, bool required) {
  known_.insert(name);
  if (!object_.is_object()) return nullptr;
  auto it = object_.find(name);
  if (it == object_.end() || it->is_null()) {
    if (required) fail(name, "is required");
    return nullptr;
  }
  return &*it;
}

std::optional<std::string> JsonFieldReader::string(const std::string& name, bool required,
                                                   std::size_t maxLength) {
  const nlohmann::json* value = member(name, required);
  if (!value) return std::nullopt;
  if (!value->is_string()) {
    fail(name, "must be a string");
    return std::nullopt;
  }
  const std::string& text = value->get_ref<const std::string&>();
  if (text.size() > maxLength) {
    fail(name, "must be at most " + std::to_string(maxLength) + " characters");
    return std::nullopt;
  }
  return text;
}

std::optional<double> JsonFieldReader::number(const std::string& name, bool required, double min,
                                              double max, bool minExclusive) {
  const nlohmann::json* value = member(name, required);
  if (!value) return std::nullopt;
  if (!value->is_number()) {
    fail(name, "must be a number");
    return std::nullopt;
  }
  const double number = value->get<double>();
  const bool belowMin = minExclusive ? number <= min : number < min;
  if (!std::isfinite(number) || belowMin || number > max) {
    fail(name, std::string("must be ") + (minExclusive ? "> " : ">= ") + formatNumber(min) +
                   " and <= " + formatNumber(max));
    return std::nullopt;
  }
  return number;
}

std::optional<std::int64_t> JsonFieldReader::integer(const std::string& name, bool required,
                                                     std::int64_t min, std::int64_t max) {
  const nlohmann::json* value = member(name, required);
  if (!value) return std::nullopt;
  std::int64_t number = 0;
  if (value->is_number_integer()) {
    if (value->is_number_unsigned() && value->get<std::uint64_t>() > INT64_MAX) {
      fail(name, "is out of range");
      return std::nullopt;
    }
    number = value->get<std::int64_t>();
  } else if (value->is_number_float() && std::floor(value->get<double>()) == value->get<double>() &&
             std::fabs(value->get<double>()) < 9e15) {
    number = static_cast<std::int64_t>(value->get<double>());
  } else {
    fail(name, "must be an integer");
    return std::nullopt;
  }
  if (number < min || number > max) {
    fail(name, "must be between " + std::to_string(min) + " and " + std::to_string(max));
    return std::nullopt;
  }
  return number;
}

const nlohmann::json* JsonFieldReader::object(const std::string& name, bool required) {
  const nlohmann::json* value = member(name, required);
  if (!value) return nullptr;
  if (!value->is_object()) {
    fail(name, "must be a JSON object");
    return nullptr;
  }
  return value;
}

void JsonFieldReader::forbid(const std::string& name, const std::string& why) {
  known_.insert(name);
  if (object_.is_object() && object_.contains(name)) fail(name, why);
}

std::optional<Error> JsonFieldReader::finish() {
  if (!error_ && object_.is_object()) {
    for (auto it = object_.begin(); it != object_.end(); ++it) {
      if (!known_.count(it.key())) {
        fail(it.key(), "unknown field");
        break;
      }
    }
  }
  return error_;
}

}  // namespace kubeheal::agent
