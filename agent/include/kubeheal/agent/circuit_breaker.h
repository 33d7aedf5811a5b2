#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <vector>

#include "kubeheal/agent/circuit_config.h"
#include "kubeheal/common/clock.h"

namespace kubeheal::agent {

// The circuit breaker of agent/API.md: forced open/closed, or automatic (consecutive failures or
// error ratio over a sliding window; open for a while, then half-open probes).
// Thread-safe: configured by the admin thread, consulted by every worker. When forced closed
// without ttl (the default) admit() is one atomic load and record() does nothing.
class CircuitBreaker {
 public:
  struct Admission {
    bool allowed = true;
    bool probe = false;  // a half-open probe: its outcome decides the state
    std::chrono::seconds retryAfter{0};
  };
  enum class Outcome { kSuccess, kFailure, kNeutral };

  struct Status {
    CircuitConfig config;
    CircuitState state = CircuitState::kClosed;
    std::optional<std::chrono::steady_clock::time_point> expiresAt;  // ttl of a forced mode
    std::optional<std::chrono::steady_clock::time_point> openUntil;
    std::uint32_t consecutiveFailures = 0;
    std::uint64_t windowRequests = 0;
    std::uint64_t windowFailures = 0;
    std::uint64_t trips = 0;
  };

  CircuitBreaker(const Clock& time, CircuitConfig initial);

  void configure(const CircuitConfig& config);
  Admission admit();
  // Must be called once for every admitted request (kNeutral when it had no verdict, e.g. the
  // client went away), so half-open probe slots are given back.
  void record(const Admission& admission, Outcome outcome);
  Status status();
  CircuitState state();

 private:
  struct WindowBucket {
    std::int64_t second = -1;
    std::uint64_t requests = 0;
    std::uint64_t failures = 0;
  };

  void applyLocked(const CircuitConfig& config, std::chrono::steady_clock::time_point now);
  void refreshLocked(std::chrono::steady_clock::time_point now);
  void tripLocked(std::chrono::steady_clock::time_point now);
  void closeLocked();
  void countLocked(std::chrono::steady_clock::time_point now, bool failure);
  void sumWindowLocked(std::chrono::steady_clock::time_point now, std::uint64_t& requests,
                       std::uint64_t& failures) const;
  std::int64_t secondOf(std::chrono::steady_clock::time_point now) const;

  const Clock& time_;
  const std::chrono::steady_clock::time_point epoch_;
  std::atomic<bool> bypass_{false};  // forced closed without ttl: nothing to do per request
  std::mutex mutex_;
  // All below guarded by mutex_.
  CircuitConfig config_;
  std::optional<CircuitConfig> previous_;  // restored when a ttl ends
  std::optional<std::chrono::steady_clock::time_point> expiresAt_;
  CircuitState autoState_ = CircuitState::kClosed;
  std::chrono::steady_clock::time_point openUntil_{};
  std::uint32_t consecutiveFailures_ = 0;
  std::uint32_t probesAdmitted_ = 0;
  std::uint32_t probesSucceeded_ = 0;
  std::uint64_t trips_ = 0;
  std::vector<WindowBucket> window_;
};

}  // namespace kubeheal::agent
