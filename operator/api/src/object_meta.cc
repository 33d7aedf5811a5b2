#include "kubeheal/api/object_meta.h"

#include <algorithm>

namespace kubeheal::api {

bool ObjectMeta::HasFinalizer(const std::string& f) const {
  return std::find(finalizers.begin(), finalizers.end(), f) != finalizers.end();
}

ObjectMeta ObjectMetaFromJson(const nlohmann::json& m) {
  ObjectMeta meta;
  if (!m.is_object()) return meta;
  meta.name = m.value("name", "");
  meta.namespace_ = m.value("namespace", "");
  meta.uid = m.value("uid", "");
  meta.resource_version = m.value("resourceVersion", "");
  meta.generation = m.value("generation", int64_t{0});
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
  c.type = j.value("type", "");
  c.status = j.value("status", "");
  c.reason = j.value("reason", "");
  c.message = j.value("message", "");
  c.last_transition_time = j.value("lastTransitionTime", "");
  c.observed_generation = j.value("observedGeneration", int64_t{0});
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
