#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "kubeheal/common/clock.h"

namespace kubeheal::api {

// The parts of metadata the controllers read.
struct ObjectMeta {
  std::string name;
  std::string namespace_;
  std::string uid;
  std::string resource_version;
  int64_t generation = 0;
  std::map<std::string, std::string> labels;
  std::map<std::string, std::string> annotations;
  std::vector<std::string> finalizers;
  std::optional<std::string> deletion_timestamp;

  std::string Key() const { return namespace_ + "/" + name; }
  bool HasFinalizer(const std::string& f) const;
  bool BeingDeleted() const { return deletion_timestamp.has_value(); }
};

// Fields of what the API server returns (metadata, our own status) read leniently: `def` when
// the key is absent, null or of another type (nlohmann's value() throws on a null).
std::string TextOr(const nlohmann::json& j, const char* key, const std::string& def = "");
int64_t IntegerOr(const nlohmann::json& j, const char* key, int64_t def);
double NumberOr(const nlohmann::json& j, const char* key, double def);
bool BoolOr(const nlohmann::json& j, const char* key, bool def);

ObjectMeta ObjectMetaFromJson(const nlohmann::json& metadata);

// A standard metav1.Condition.
struct Condition {
  std::string type;
  std::string status;  // "True", "False", "Unknown"
  std::string reason;
  std::string message;
  std::string last_transition_time;
  int64_t observed_generation = 0;

  bool operator==(const Condition&) const = default;
};

nlohmann::json ToJson(const Condition& c);
Condition ConditionFromJson(const nlohmann::json& j);

// Sets `c` in `conditions`, keeping lastTransitionTime when the status did not change (so a
// condition's age means what users expect). Returns true if anything changed.
bool SetCondition(std::vector<Condition>* conditions, Condition c, Clock::TimePoint now);
const Condition* FindCondition(const std::vector<Condition>& conditions, const std::string& type);

}  // namespace kubeheal::api
