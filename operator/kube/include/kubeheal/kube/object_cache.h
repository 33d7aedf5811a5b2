#pragma once

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

namespace kubeheal::kube {

using ObjectPtr = std::shared_ptr<const nlohmann::json>;

// What a change did to the cache; handlers receive these.
struct CacheDelta {
  enum class Type { kAdded, kUpdated, kDeleted };
  Type type;
  ObjectPtr object;      // the new object (the last known one for kDeleted)
  ObjectPtr old_object;  // for kUpdated
};

// The informer's thread-safe store of objects keyed "namespace/name" (or "name" when cluster
// scoped), with a namespace index and a label index ("key=value"). Objects are immutable once
// stored (shared_ptr<const json>) so readers keep them without copying or locking.
// Writes come from one reflector thread; reads from any thread (shared_mutex).
class ObjectCache {
 public:
  static std::string KeyOf(const nlohmann::json& object);

  // Insert or replace; nothing happens (nullopt) if the stored copy has the same
  // resourceVersion, so a replayed event never doubles.
  std::optional<CacheDelta> Upsert(nlohmann::json object);
  std::optional<CacheDelta> Remove(const nlohmann::json& object);
  // Makes the cache equal to a fresh list: adds, updates (by resourceVersion) and deletes
  // what the list no longer has. Returns the deltas in that order.
  std::vector<CacheDelta> Replace(nlohmann::json items);

  ObjectPtr Get(const std::string& key) const;
  std::vector<ObjectPtr> List() const;
  std::vector<ObjectPtr> ListNamespace(const std::string& ns) const;
  // Objects whose labels include every pair of `selector` (equality-based selection),
  // optionally only in namespace `ns`.
  std::vector<ObjectPtr> ListByLabels(const std::map<std::string, std::string>& selector,
                                      const std::string& ns = "") const;
  std::vector<std::string> Keys() const;
  size_t size() const;

 private:
  void IndexLocked(const std::string& key, const nlohmann::json& obj);
  void UnindexLocked(const std::string& key, const nlohmann::json& obj);
  std::optional<CacheDelta> UpsertLocked(nlohmann::json object);

  mutable std::shared_mutex mu_;
  std::unordered_map<std::string, ObjectPtr> objects_;
  std::unordered_map<std::string, std::set<std::string>> by_namespace_;
  std::unordered_map<std::string, std::set<std::string>> by_label_;
};

}  // namespace kubeheal::kube
