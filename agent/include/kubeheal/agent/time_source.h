#pragma once

#include <chrono>

namespace kubeheal::agent {

// The agent's only view of time. Breaker, token bucket and fault expiry read time through it so
// tests drive them on a simulated clock; only real_time_source.cc reads the real clocks.
class TimeSource {
 public:
  virtual ~TimeSource() = default;
  // Monotonic time for durations and expiry.
  virtual std::chrono::steady_clock::time_point steadyNow() const = 0;
  // Wall time, only for timestamps shown to people (expiresAt, createdAt).
  virtual std::chrono::system_clock::time_point systemNow() const = 0;
};

}  // namespace kubeheal::agent
