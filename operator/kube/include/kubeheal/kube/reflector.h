#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>

#include "kubeheal/common/clock.h"
#include "kubeheal/common/random.h"
#include "kubeheal/kube/backoff.h"
#include "kubeheal/kube/cancel_token.h"
#include "kubeheal/kube/client.h"
#include "kubeheal/kube/object_cache.h"
#include "kubeheal/kube/watch_state_machine.h"

namespace kubeheal::kube {

class KubeMetrics;

// Removes metadata.managedFields (server-side apply bookkeeping) from an object.
void StripManagedFields(nlohmann::json& object);

struct ReflectorOptions {
  GroupVersionResource resource;
  std::string namespace_;  // empty: all namespaces
  std::string label_selector;
  std::string field_selector;
  int page_size = 500;
  int watch_timeout_seconds = 300;
  Backoff::Params backoff;
  // Non-empty: watch from this version first instead of listing (HasSynced stays false until
  // a list happens, e.g. after 410 Gone).
  std::string start_resource_version;
  // Applied to every object before it is cached (client-go's TransformFunc). The default drops
  // metadata.managedFields, which controllers do not read and which is the largest part of a
  // small object's memory; pass an empty function to keep objects whole.
  std::function<void(nlohmann::json&)> transform = StripManagedFields;
};

// Keeps an ObjectCache equal to the server's state of one resource by running the
// WatchStateMachine against a Client: list (paginated) -> watch from the list's
// resourceVersion -> resume after server timeouts and network failures -> re-list on 410.
// Run() blocks on the calling thread (the informer's) until `cancel` fires; every cache change
// is passed to `on_delta` on that thread, in order.
class Reflector {
 public:
  using DeltaSink = std::function<void(const CacheDelta&)>;

  Reflector(std::shared_ptr<Client> client, ReflectorOptions options, ObjectCache& cache,
            std::shared_ptr<Clock> clock, std::shared_ptr<KubeMetrics> metrics = nullptr,
            std::shared_ptr<RandomSource> random = nullptr);

  void Run(CancelToken& cancel, const DeltaSink& on_delta, const std::function<void()>& on_synced);

  int lists() const { return lists_.load(); }
  int watch_restarts() const { return watch_restarts_.load(); }
  std::string last_error() const;

 private:
  void DoList(const DeltaSink& on_delta, const std::function<void()>& on_synced);
  void DoWatch(CancelToken& cancel, const std::string& rv, const DeltaSink& on_delta);
  void Restarted(const std::string& reason);

  std::shared_ptr<Client> client_;
  ReflectorOptions options_;
  ObjectCache& cache_;
  std::shared_ptr<Clock> clock_;
  std::shared_ptr<KubeMetrics> metrics_;
  WatchStateMachine machine_;
  std::atomic<int> lists_{0};
  std::atomic<int> watch_restarts_{0};
  mutable std::mutex error_mu_;
  std::string last_error_;
};

}  // namespace kubeheal::kube
