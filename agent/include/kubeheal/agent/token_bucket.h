#pragma once

#include <chrono>

namespace kubeheal::agent {

// A token bucket: `rps` tokens per second up to `burst`, starting full. Pure arithmetic on the
// times it is given; not thread-safe (Throttle guards it).
class TokenBucket {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;

  TokenBucket(double rps, double burst, TimePoint now);

  bool tryTake(TimePoint now);
  double tokens(TimePoint now);
  // How long until one token is available (zero if one is).
  std::chrono::nanoseconds timeUntilToken(TimePoint now);
  double rps() const { return rps_; }
  double burst() const { return burst_; }

 private:
  void refill(TimePoint now);

  double rps_;
  double burst_;
  double tokens_;
  TimePoint last_;
};

}  // namespace kubeheal::agent
