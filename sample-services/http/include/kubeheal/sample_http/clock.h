#pragma once

#include <chrono>

namespace kubeheal::samples {

// Time as a dependency: latency models, rate schedules and timeouts read it through this
// interface so tests can drive it. SteadyClock (clock.cc) is the only real clock.
class Clock {
 public:
  using Duration = std::chrono::nanoseconds;
  using TimePoint = std::chrono::steady_clock::time_point;
  virtual ~Clock() = default;
  virtual TimePoint Now() const = 0;
  virtual void SleepUntil(TimePoint when) = 0;
  void SleepFor(Duration d) { SleepUntil(Now() + d); }
};

class SteadyClock final : public Clock {
 public:
  TimePoint Now() const override;
  void SleepUntil(TimePoint when) override;
};

}  // namespace kubeheal::samples
