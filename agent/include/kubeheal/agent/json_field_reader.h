#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "kubeheal/common/error.h"

namespace kubeheal::agent {

// Reads members of one JSON object strictly: each read declares the member known, values of
// the wrong type or out of range record an Error::InvalidField() error naming the member's path,
// and finish() reports any member that was never declared. The first error wins. Never throws.
class JsonFieldReader {
 public:
  JsonFieldReader(const nlohmann::json& object, std::string pathPrefix);

  bool has(const std::string& name);
  std::optional<std::string> string(const std::string& name, bool required, std::size_t maxLength);
  std::optional<double> number(const std::string& name, bool required, double min, double max,
                               bool minExclusive = false);
  std::optional<std::int64_t> integer(const std::string& name, bool required, std::int64_t min,
                                      std::int64_t max);
  // The member if it is an object (error otherwise); nullptr when absent.
  const nlohmann::json* object(const std::string& name, bool required);
  // Declares a member that must not be present (e.g. not allowed for this type).
  void forbid(const std::string& name, const std::string& why);

  void fail(const std::string& name, const std::string& message);
  // Takes over the error of a nested object's reader (its path is already complete).
  void adopt(const std::optional<Error>& nested) {
    if (nested && !error_) error_ = nested;
  }
  // Reports unknown members; returns the first error, if any.
  std::optional<Error> finish();
  bool failed() const { return error_.has_value(); }
  std::string pathOf(const std::string& name) const;

 private:
  const nlohmann::json* member(const std::string& name, bool required);

  const nlohmann::json& object_;
  std::string pathPrefix_;
  std::set<std::string> known_;
  std::optional<Error> error_;
};

}  // namespace kubeheal::agent
