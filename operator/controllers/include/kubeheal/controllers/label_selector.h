#pragma once

#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "kubeheal/common/result.h"

namespace kubeheal::controllers {

// A Kubernetes label selector in its string form ("app=web,tier in (a,b),!canary"), as the API
// server's labelSelector parameter takes it, evaluated locally against an object's labels so
// lists can be served from an informer cache. Supports =, ==, !=, in, notin, exists and !exists.
class LabelSelector {
 public:
  // An error names the term that could not be read. The empty string selects everything.
  static Result<LabelSelector> Parse(const std::string& text);
  // `labels`: metadata.labels (an object of strings; null or missing means no labels).
  bool Matches(const nlohmann::json& labels) const;

 private:
  enum class Op { kEquals, kNotEquals, kIn, kNotIn, kExists, kNotExists };
  struct Requirement {
    std::string key;
    Op op;
    std::set<std::string> values;
  };
  std::vector<Requirement> requirements_;
};

}  // namespace kubeheal::controllers
