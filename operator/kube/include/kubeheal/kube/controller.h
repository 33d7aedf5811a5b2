#pragma once

#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "kubeheal/common/clock.h"
#include "kubeheal/kube/reconcile_result.h"
#include "kubeheal/kube/work_queue.h"

namespace kubeheal::kube {

class KubeMetrics;

// Reconciles one key ("namespace/name"): reads current state (from a cache, never from the
// event that queued it), converges, returns a result. Called from worker threads, never
// concurrently for the same key.
using Reconciler = std::function<ReconcileResult(const std::string& key)>;

// N workers take keys from a WorkQueue and call the reconciler. ApplyResult() is the ONE place
// where a result becomes queue actions:
//   done            -> Forget (reset backoff)
//   requeue after d -> Forget, AddAfter(d)
//   retryable error -> AddRateLimited (per-item backoff + overall bucket)
//   terminal error  -> Forget, log; the next change to the object queues it again
// Start() spawns the workers; Stop() shuts the queue down and joins them.
class Controller {
 public:
  Controller(std::string name, std::shared_ptr<WorkQueue> queue, Reconciler reconciler, int workers,
             std::shared_ptr<Clock> clock, std::shared_ptr<KubeMetrics> metrics = nullptr);
  ~Controller();

  void Start();
  void Stop();
  // Processes one key if one is ready within `timeout`; for tests driving the loop by hand.
  bool ProcessNext(std::chrono::nanoseconds timeout);

  static void ApplyResult(WorkQueue& queue, const std::string& key, const ReconcileResult& result);

  WorkQueue& queue() { return *queue_; }

 private:
  void Process(const std::string& key);
  void Work();

  std::string name_;
  std::shared_ptr<WorkQueue> queue_;
  Reconciler reconciler_;
  int workers_;
  std::shared_ptr<Clock> clock_;
  std::shared_ptr<KubeMetrics> metrics_;
  std::vector<std::thread> threads_;
};

}  // namespace kubeheal::kube
