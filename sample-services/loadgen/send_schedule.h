#pragma once

#include <cstdint>
#include <mutex>
#include <optional>

#include "rate_profile.h"

namespace kubeheal::samples {

// Hands out the intended send times of an open-loop run, as offsets in seconds from the
// start: each follows the last by 1 / RateAt(t). Times never depend on when responses come
// back, so a slow server does not slow the offered load (no coordinated omission); latency is
// measured from the intended time. Bounded by `duration` and `max_requests`.
// Thread-safe: workers take times concurrently.
class SendSchedule {
 public:
  SendSchedule(RateProfile profile, double duration, std::uint64_t max_requests);

  // The next intended send time, or nothing once the run's bounds are reached. For a flood
  // profile every call answers 0 (send now) until max_requests.
  std::optional<double> Next();
  std::uint64_t issued() const;

 private:
  RateProfile profile_;
  double duration_;
  std::uint64_t max_requests_;
  mutable std::mutex mutex_;  // guards next_time_ and issued_
  double next_time_ = 0;
  std::uint64_t issued_ = 0;
};

}  // namespace kubeheal::samples
