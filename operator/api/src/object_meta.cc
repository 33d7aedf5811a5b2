#include "kubeheal/api/object_meta.h"

#include <algorithm>

namespace kubeheal::api {

bool ObjectMeta::HasFinalizer(const std::string& f) const {
  return std::find(finalizers.begin(), finalizers.end(), f) != finalizers.end();
}

std::string TextOr(const nlohmann::json& j, const char* key, const std::string& def) {
  if (!j.is_object()) return def;
  const auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : def;
}

int64_t IntegerOr(const nlohmann::json& j, const char* key, int64_t def) {
  if (!j.is_object()) return def;
  const auto it = j.find(key);
  return it != j.end() && it->is_number_integer() ? it->get<int64_t>() : def;
}

double NumberOr(const nlohmann::json& j, const char* key, double def) {
  if (!j.is_object()) return def;
  const auto it = j.find(key);
  return it != j.end() && it->is_number() ? it->get<double>() : def;
}

bool BoolOr(const nlohmann::json& j, const char* key, bool def) {
  if (!j.is_object()) return def;
  const auto it = j.find(key);
  return it != j.end() && it->is_boolean() ? it->get<bool>() : def;
}

ObjectMeta ObjectMetaFromJson(const nlohmann::json& m) {
  ObjectMeta meta;
  if (!m.is_object()) return meta;
  meta.name = TextOr(m, "name");
  meta.namespace_ = TextOr(m, "namespace");
  meta.uid = TextOr(m, "uid");
  meta.resource_version = TextOr(m, "resourceVersion");
  meta.generation = IntegerOr(m, "generation", 0);
  for (const char* key : {"labels", "annotations"}) {
    if (!m.contains(key) || !m[key].is_object()) continue;
    auto& target = std::string(key) == "labels" ? meta.labels : meta.annotations;
    for (const auto& [k, v] : m[key].items()) {
      if (v.is_string()) target[k] = v.get<std::string>();
    }
  }
  if (m.contains("finalizers") && m["finalizers"].is_array()) {
    for (const auto& f : m["finalizers"]) {
      if (f.is_string()) meta.finalizers.push_back(f.get<std::string>());
    }
  }
  if (m.contains("deletionTimestamp") && m["deletionTimestamp"].is_string()) {
    meta.deletion_timestamp = m["deletionTimestamp"].get<std::string>();
  }
  return meta;
}

nlohmann::json ToJson(const Condition& c) {
  nlohmann::json j = {{"type", c.type},
                      {"status", c.status},
                      {"reason", c.reason.empty() ? std::string("Unknown") : c.reason},
                      {"message", c.message},
                      {"lastTransitionTime", c.last_transition_time}};
  if (c.observed_generation > 0) j["observedGeneration"] = c.observed_generation;
  return j;
}

Condition ConditionFromJson(const nlohmann::json& j) {
  Condition c;
  if (!j.is_object()) return c;
  c.type = TextOr(j, "type");
  c.status = TextOr(j, "status");
  c.reason = TextOr(j, "reason");
  c.message = TextOr(j, "message");
  c.last_transition_time = TextOr(j, "lastTransitionTime");
  c.observed_generation = IntegerOr(j, "observedGeneration", 0);
  return c;
}

bool SetCondition(std::vector<Condition>* conditions, Condition c, Clock::TimePoint now) {
  for (auto& existing : *conditions) {
    if (existing.type != c.type) continue;
    c.last_transition_time =
        existing.status == c.status ? existing.last_transition_time : FormatRfc3339(now);
    if (c.last_transition_time.empty()) c.last_transition_time = FormatRfc3339(now);
    if (existing == c) return false;
    existing = std::move(c);
    return true;
  }
  c.last_transition_time = FormatRfc3339(now);
  conditions->push_back(std::move(c));
  return true;
}

const Condition* FindCondition(const std::vector<Condition>& conditions, const std::string& type) {
  for (const auto& c : conditions) {
    if (c.type == type) return &c;
  }
  return nullptr;
}

}  // namespace kubeheal::api
