#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>

#include "kubeheal/agent/token_bucket.h"
#include "kubeheal/common/clock.h"

namespace kubeheal::agent {

// The agent-wide throttle: one token bucket shared by all workers, optional ttl.
// Thread-safe; when off, admit() is one atomic load.
class Throttle {
 public:
  struct Admission {
    bool allowed = true;
    std::chrono::seconds retryAfter{0};
  };
  struct Status {
    bool enabled = false;
    double rps = 0;
    double burst = 0;
    double tokens = 0;
    std::optional<std::chrono::steady_clock::time_point> expiresAt;
    std::uint64_t throttled = 0;
  };

  explicit Throttle(const Clock& time);

  void enable(double rps, double burst, std::optional<double> ttlSeconds);
  void disable();
  Admission admit();
  Status status();

 private:
  bool expiredLocked(std::chrono::steady_clock::time_point now);

  const Clock& time_;
  std::atomic<bool> enabled_{false};
  std::atomic<std::uint64_t> throttled_{0};
  std::mutex mutex_;
  std::optional<TokenBucket> bucket_;                               // guarded by mutex_
  std::optional<std::chrono::steady_clock::time_point> expiresAt_;  // guarded by mutex_
};

}  // namespace kubeheal::agent
