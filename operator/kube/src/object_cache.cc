#include "kubeheal/kube/object_cache.h"

#include <mutex>
#include <unordered_set>

namespace kubeheal::kube {
namespace {

const nlohmann::json& Meta(const nlohmann::json& obj) {
  static const nlohmann::json kEmpty = nlohmann::json::object();
  auto it = obj.find("metadata");
  return it != obj.end() && it->is_object() ? *it : kEmpty;
}

std::string MetaString(const nlohmann::json& obj, const char* key) {
  const auto& m = Meta(obj);
  auto it = m.find(key);
  return it != m.end() && it->is_string() ? it->get<std::string>() : "";
}

template <typename F>
void ForEachLabel(const nlohmann::json& obj, F&& f) {
  const auto& m = Meta(obj);
  auto labels = m.find("labels");
  if (labels == m.end() || !labels->is_object()) return;
  for (const auto& [k, v] : labels->items()) {
    if (v.is_string()) f(k + "=" + v.template get<std::string>());
  }
}

}  // namespace

std::string ObjectCache::KeyOf(const nlohmann::json& object) {
  const std::string ns = MetaString(object, "namespace");
  const std::string name = MetaString(object, "name");
  return ns.empty() ? name : ns + "/" + name;
}

void ObjectCache::IndexLocked(const std::string& key, const nlohmann::json& obj) {
  by_namespace_[MetaString(obj, "namespace")].insert(key);
  ForEachLabel(obj, [&](const std::string& kv) { by_label_[kv].insert(key); });
}

void ObjectCache::UnindexLocked(const std::string& key, const nlohmann::json& obj) {
  const std::string ns = MetaString(obj, "namespace");
  if (auto it = by_namespace_.find(ns); it != by_namespace_.end()) {
    it->second.erase(key);
    if (it->second.empty()) by_namespace_.erase(it);
  }
  ForEachLabel(obj, [&](const std::string& kv) {
    if (auto it = by_label_.find(kv); it != by_label_.end()) {
      it->second.erase(key);
      if (it->second.empty()) by_label_.erase(it);
    }
  });
}

std::optional<CacheDelta> ObjectCache::UpsertLocked(nlohmann::json object) {
  const std::string key = KeyOf(object);
  auto it = objects_.find(key);
  auto fresh = std::make_shared<const nlohmann::json>(std::move(object));
  if (it == objects_.end()) {
    IndexLocked(key, *fresh);
    objects_.emplace(key, fresh);
    return CacheDelta{CacheDelta::Type::kAdded, fresh, nullptr};
  }
  const std::string old_rv = MetaString(*it->second, "resourceVersion");
  if (!old_rv.empty() && old_rv == MetaString(*fresh, "resourceVersion")) return std::nullopt;
  ObjectPtr old = it->second;
  UnindexLocked(key, *old);
  IndexLocked(key, *fresh);
  it->second = fresh;
  return CacheDelta{CacheDelta::Type::kUpdated, fresh, old};
}

std::optional<CacheDelta> ObjectCache::Upsert(nlohmann::json object) {
  std::unique_lock lock(mu_);
  return UpsertLocked(std::move(object));
}

std::optional<CacheDelta> ObjectCache::Remove(const nlohmann::json& object) {
  std::unique_lock lock(mu_);
  const std::string key = KeyOf(object);
  auto it = objects_.find(key);
  if (it == objects_.end()) return std::nullopt;
  ObjectPtr old = it->second;
  UnindexLocked(key, *old);
  objects_.erase(it);
  // The deleted object's final state (from the event) is more recent than our copy.
  auto last = object.is_object() ? std::make_shared<const nlohmann::json>(object) : old;
  return CacheDelta{CacheDelta::Type::kDeleted, last, nullptr};
}

std::vector<CacheDelta> ObjectCache::Replace(nlohmann::json items) {
  std::unique_lock lock(mu_);
  std::vector<CacheDelta> deltas;
  std::unordered_set<std::string> seen;
  seen.reserve(items.size());
  for (auto& item : items) {
    seen.insert(KeyOf(item));
    if (auto d = UpsertLocked(std::move(item))) deltas.push_back(std::move(*d));
  }
  for (auto it = objects_.begin(); it != objects_.end();) {
    if (seen.count(it->first)) {
      ++it;
      continue;
    }
    UnindexLocked(it->first, *it->second);
    deltas.push_back(CacheDelta{CacheDelta::Type::kDeleted, it->second, nullptr});
    it = objects_.erase(it);
  }
  return deltas;
}

ObjectPtr ObjectCache::Get(const std::string& key) const {
  std::shared_lock lock(mu_);
  auto it = objects_.find(key);
  return it == objects_.end() ? nullptr : it->second;
}

std::vector<ObjectPtr> ObjectCache::List() const {
  std::shared_lock lock(mu_);
  std::vector<ObjectPtr> out;
  out.reserve(objects_.size());
  for (const auto& [k, v] : objects_) out.push_back(v);
  return out;
}

std::vector<ObjectPtr> ObjectCache::ListNamespace(const std::string& ns) const {
  std::shared_lock lock(mu_);
  std::vector<ObjectPtr> out;
  auto it = by_namespace_.find(ns);
  if (it == by_namespace_.end()) return out;
  for (const auto& key : it->second) out.push_back(objects_.at(key));
  return out;
}

std::vector<ObjectPtr> ObjectCache::ListByLabels(const std::map<std::string, std::string>& selector,
                                                 const std::string& ns) const {
  std::shared_lock lock(mu_);
  std::vector<ObjectPtr> out;
  if (selector.empty()) {
    lock.unlock();
    return ns.empty() ? List() : ListNamespace(ns);
  }
  // Walk the smallest posting list and check the rest on each candidate.
  const std::set<std::string>* smallest = nullptr;
  for (const auto& [k, v] : selector) {
    auto it = by_label_.find(k + "=" + v);
    if (it == by_label_.end()) return out;
    if (!smallest || it->second.size() < smallest->size()) smallest = &it->second;
  }
  if (smallest == nullptr) return out;  // not reached: the selector is not empty
  for (const auto& key : *smallest) {
    bool match = true;
    for (const auto& [k, v] : selector) {
      if (!by_label_.at(k + "=" + v).count(key)) {
        match = false;
        break;
      }
    }
    const ObjectPtr& obj = objects_.at(key);
    if (match && (ns.empty() || MetaString(*obj, "namespace") == ns)) out.push_back(obj);
  }
  return out;
}

std::vector<std::string> ObjectCache::Keys() const {
  std::shared_lock lock(mu_);
  std::vector<std::string> out;
  out.reserve(objects_.size());
  for (const auto& [k, v] : objects_) out.push_back(k);
  return out;
}

size_t ObjectCache::size() const {
  std::shared_lock lock(mu_);
  return objects_.size();
}

}  // namespace kubeheal::kube
