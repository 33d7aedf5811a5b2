#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "kubeheal/api/duration.h"

namespace kubeheal::api {

// Reads typed fields out of a JSON object while remembering where it is, so every problem is
// reported with its full path ("spec.signals[1].query: required"). Errors accumulate: a user
// sees all of them at once, not one per apply.
class FieldReader {
 public:
  FieldReader(const nlohmann::json& node, std::string path, std::vector<std::string>* errors)
      : node_(node), path_(std::move(path)), errors_(errors) {}

  const std::string& path() const { return path_; }
  bool Has(const std::string& key) const;
  std::string Child(const std::string& key) const;

  std::string String(const std::string& key, bool required = false, const std::string& def = "");
  std::optional<std::string> OptionalString(const std::string& key);
  double Number(const std::string& key, double def, double min, double max);
  int64_t Integer(const std::string& key, int64_t def, int64_t min, int64_t max);
  bool Bool(const std::string& key, bool def);
  Millis Duration(const std::string& key, Millis def, bool required = false);
  std::optional<Millis> OptionalDuration(const std::string& key);
  // One of `allowed`; reports the allowed values when it is not.
  std::string Enum(const std::string& key, const std::vector<std::string>& allowed,
                   const std::string& def, bool required = false);
  std::vector<std::string> StringList(const std::string& key);

  // The child object (or an empty object with an error when present but not an object).
  const nlohmann::json& Object(const std::string& key, bool required = false);
  // The child array (empty when absent).
  const nlohmann::json& Array(const std::string& key, bool required = false);

  // A reader of the child object, reporting into the same error list.
  FieldReader Nested(const std::string& key, bool required = false) {
    return FieldReader(Object(key, required), Child(key), errors_);
  }
  // A reader of element `i` of the child list `key`, reporting into the same error list.
  FieldReader Element(const std::string& key, const nlohmann::json& element, size_t i) {
    return FieldReader(element, Child(key) + "[" + std::to_string(i) + "]", errors_);
  }
  // The raw child value, or null when absent.
  const nlohmann::json* Raw(const std::string& key) const {
    return Has(key) ? &node_.at(key) : nullptr;
  }

  void Fail(const std::string& key, const std::string& message);

 private:
  const nlohmann::json& node_;
  std::string path_;
  std::vector<std::string>* errors_;
};

// Joins accumulated errors into one terminal "Invalid" error for `what` ("HealingPolicy ns/x").
Error InvalidObject(const std::string& what, const std::vector<std::string>& errors);

}  // namespace kubeheal::api
