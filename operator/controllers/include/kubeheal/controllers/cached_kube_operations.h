#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "kubeheal/common/clock.h"
#include "kubeheal/controllers/kube_operations.h"
#include "kubeheal/kube/object_cache.h"

namespace kubeheal::controllers {

// One informer's cache as a source of reads: the objects of one kind in one namespace ("" for
// all namespaces), usable once `synced` says the first list is in.
struct CacheSource {
  std::string namespace_;
  std::function<bool()> synced;
  const kube::ObjectCache* cache = nullptr;  // owned by the informer, which outlives this
};

struct CachedKubeOperationsOptions {
  // After this process writes a HealingPolicy or FaultScenario, reads of it go to the API until
  // the cache shows that write or this long has passed (the watch event is normally in within
  // milliseconds). A reconciler must never act on a state older than its own last write.
  std::chrono::seconds read_your_writes_window{10};
  // The agent token Secret is re-read this often (RBAC allows `get` on it, not `watch`).
  std::chrono::seconds secret_ttl{30};
};

// KubeOperations whose reads come from informer caches, so a steady state costs the API server
// nothing per tick: GetCustom (HealingPolicy, FaultScenario), GetWorkload (Deployment,
// StatefulSet) and ListPods are served from the caches added with AddSource; GetSecretValue
// from a short-lived memo. Writes, the scale subresource and evictions go to `api`.
// A read falls back to `api` when no synced cache covers its namespace, when a label selector
// cannot be evaluated locally, or within the read-your-writes window.
//
// Objects are returned as copies, so callers may modify them. Thread-safe: sources are added
// before the controllers start; `mu_` guards the write and secret memos.
class CachedKubeOperations final : public KubeOperations {
 public:
  CachedKubeOperations(std::shared_ptr<KubeOperations> api, std::shared_ptr<Clock> clock,
                       CachedKubeOperationsOptions options = {});

  // kind: HealingPolicy, FaultScenario, Pod, Deployment or StatefulSet.
  void AddSource(const std::string& kind, CacheSource source);

  Result<Json> GetCustom(const std::string& kind, const std::string& ns,
                         const std::string& name) override;
  Result<Json> UpdateCustomStatus(const std::string& kind, const Json& object) override;
  Result<Json> PatchCustomMetadata(const std::string& kind, const std::string& ns,
                                   const std::string& name, const Json& metadata) override;
  Result<Json> GetWorkload(const std::string& kind, const std::string& ns,
                           const std::string& name) override;
  Result<int> GetReplicas(const std::string& kind, const std::string& ns,
                          const std::string& name) override;
  Status SetReplicas(const std::string& kind, const std::string& ns, const std::string& name,
                     int replicas) override;
  Status RolloutRestart(const std::string& kind, const std::string& ns, const std::string& name,
                        const std::string& restarted_at) override;
  Result<std::vector<Json>> ListPods(const std::string& ns,
                                     const std::string& label_selector) override;
  Status EvictPod(const std::string& ns, const std::string& pod) override;
  Status DeletePod(const std::string& ns, const std::string& pod,
                   int grace_period_seconds) override;
  Result<std::string> GetSecretValue(const std::string& ns, const std::string& name,
                                     const std::string& key) override;
  Status RecordEvent(const Json& involved, const std::string& type, const std::string& reason,
                     const std::string& message) override;

  // Reads answered by a cache and by the API since construction (for tests and logs).
  int64_t cache_reads() const { return cache_reads_.load(); }
  int64_t api_reads() const { return api_reads_.load(); }

 private:
  struct Write {
    std::string resource_version;
    std::chrono::steady_clock::time_point at;
  };
  struct SecretMemo {
    Result<std::string> value;
    std::chrono::steady_clock::time_point at;
  };

  // The synced sources of `kind` covering `ns`; empty when the API must answer.
  std::vector<const CacheSource*> SourcesFor(const std::string& kind, const std::string& ns) const;
  // The object from the caches: a copy, a 404 error, or nullopt when the API must answer.
  std::optional<Result<Json>> FromCache(const std::string& kind, const std::string& ns,
                                        const std::string& name);
  void Remember(const std::string& kind, const Result<Json>& written);

  std::shared_ptr<KubeOperations> api_;
  std::shared_ptr<Clock> clock_;
  CachedKubeOperationsOptions options_;
  std::map<std::string, std::vector<CacheSource>> sources_;  // written before use only

  std::mutex mu_;
  std::map<std::string, Write> writes_;        // "kind/ns/name" -> our last write
  std::map<std::string, SecretMemo> secrets_;  // "ns/name/key"
  std::atomic<int64_t> cache_reads_{0};
  std::atomic<int64_t> api_reads_{0};
};

}  // namespace kubeheal::controllers
