#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "kubeheal/common/clock.h"
#include "kubeheal/kube/rate_limiter.h"

namespace kubeheal::kube {

class KubeMetrics;

// client-go's rate-limited work queue of object keys:
// - de-duplicating: a key waiting in the queue is there once, however often it is added;
// - a key being processed (between Get and Done) is never handed to a second worker; if it is
//   added meanwhile it is queued again on Done;
// - delayed adds (AddAfter) keep the earliest due time per key;
// - AddRateLimited asks the RateLimiter (per-item backoff + overall bucket) for the delay.
// Time is read from the injected Clock and waited on with Clock::WaitUntil: a blocked Get()
// sleeps until an add, shutdown or the next delayed key's due time, and a FakeClock advanced
// by a test wakes it (no polling).
// Thread-safe: any thread adds, N worker threads Get/Done.
class WorkQueue {
 public:
  WorkQueue(std::string name, std::shared_ptr<Clock> clock, std::unique_ptr<RateLimiter> limiter,
            std::shared_ptr<KubeMetrics> metrics = nullptr);

  void Add(const std::string& key);
  void AddAfter(const std::string& key, std::chrono::nanoseconds delay);
  void AddRateLimited(const std::string& key);
  void Forget(const std::string& key);
  int NumRequeues(const std::string& key);

  // Blocks until a key is ready or the queue shuts down (then nullopt).
  std::optional<std::string> Get();
  // Like Get but gives up after `timeout` of real time.
  std::optional<std::string> TryGet(std::chrono::nanoseconds timeout);
  void Done(const std::string& key);
  void ShutDown();
  bool shutting_down() const;

  size_t Len() const;         // ready keys
  size_t DelayedLen() const;  // keys waiting for their due time
  const std::string& name() const { return name_; }

 private:
  void AddLocked(const std::string& key);
  // Moves due delayed keys into the queue; returns when the next one is due (on clock_).
  std::optional<std::chrono::steady_clock::time_point> PromoteDueLocked();
  std::optional<std::string> GetUntil(
      std::optional<std::chrono::steady_clock::time_point> deadline);
  void ReportDepthLocked();

  const std::string name_;
  std::shared_ptr<Clock> clock_;
  std::unique_ptr<RateLimiter> limiter_;
  std::shared_ptr<KubeMetrics> metrics_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::string> queue_;
  std::unordered_set<std::string> dirty_;  // queued (or to re-queue after Done)
  std::unordered_set<std::string> processing_;
  std::unordered_map<std::string, std::chrono::steady_clock::time_point> delayed_;
  bool shutting_down_ = false;
};

}  // namespace kubeheal::kube
