#pragma once

#include <chrono>
#include <optional>
#include <memory>
#include <string>

namespace kubeheal {

// Time is a dependency: everything that reads the clock or waits takes a Clock, so tests drive
// time with FakeClock. SystemClock (clock.cc) is the only place the operator reads real time.
class Clock {
 public:
  using Duration = std::chrono::nanoseconds;
  using TimePoint = std::chrono::time_point<std::chrono::system_clock, Duration>;

  virtual ~Clock() = default;
  // Wall-clock time (also used for Kubernetes timestamps).
  virtual TimePoint Now() const = 0;
  // Monotonic time for durations and timeouts.
  virtual std::chrono::steady_clock::time_point SteadyNow() const = 0;
};

class SystemClock final : public Clock {
 public:
  TimePoint Now() const override;
  std::chrono::steady_clock::time_point SteadyNow() const override;
};

// The process-wide real clock, for main() to inject.
std::shared_ptr<Clock> RealClock();

// RFC 3339 with second precision in UTC ("2026-11-22T08:00:00Z"), as Kubernetes writes times.
std::string FormatRfc3339(Clock::TimePoint t);
// The inverse for UTC times ("...Z", optional fraction ignored); nullopt for anything else.
std::optional<Clock::TimePoint> ParseRfc3339(const std::string& text);

}  // namespace kubeheal
