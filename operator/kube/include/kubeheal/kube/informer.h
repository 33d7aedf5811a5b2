#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "kubeheal/kube/reflector.h"

namespace kubeheal::kube {

// Callbacks for cache changes. They run on the informer's thread, in order, and must be quick
// (typically: compute a key and add it to a WorkQueue). Any may be left empty.
struct ResourceEventHandlers {
  std::function<void(const ObjectPtr&)> on_add;
  std::function<void(const ObjectPtr& old_obj, const ObjectPtr& new_obj)> on_update;
  std::function<void(const ObjectPtr&)> on_delete;
};

// A reflector on its own thread plus the thread-safe cache it fills, with event handlers and
// HasSynced. Start() once, Stop() (or destroy) to end; handlers are added before Start().
class Informer {
 public:
  Informer(std::shared_ptr<Client> client, ReflectorOptions options, std::shared_ptr<Clock> clock,
           std::shared_ptr<KubeMetrics> metrics = nullptr);
  ~Informer();

  void AddHandlers(ResourceEventHandlers handlers);
  void Start();
  void Stop();

  // True once the first list has been put into the cache.
  bool HasSynced() const { return synced_.load(); }
  bool WaitForSync(std::chrono::nanoseconds timeout) const;

  const ObjectCache& cache() const { return cache_; }
  const Reflector& reflector() const { return reflector_; }

 private:
  void Dispatch(const CacheDelta& delta);

  ObjectCache cache_;
  Reflector reflector_;
  std::vector<ResourceEventHandlers> handlers_;
  CancelToken cancel_;
  std::thread thread_;
  std::atomic<bool> synced_{false};
  mutable std::mutex sync_mu_;
  mutable std::condition_variable sync_cv_;
};

}  // namespace kubeheal::kube
