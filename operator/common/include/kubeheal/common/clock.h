#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
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

  // The timer primitive: waits on `cv` (`lock` held on entry and on return, released while
  // waiting) until it is notified, until SteadyNow() reaches `until`, or until `real_limit` of
  // real (std::chrono::steady_clock) time, whichever is first; nullopt means no such bound.
  // May return early (spurious wake-ups): callers re-check their condition in a loop.
  // SystemClock waits on the condition variable; FakeClock wakes its waiters when a test
  // advances it, so code waiting for a delay needs no polling.
  virtual void WaitUntil(std::unique_lock<std::mutex>& lock, std::condition_variable& cv,
                         std::optional<std::chrono::steady_clock::time_point> until,
                         std::optional<std::chrono::steady_clock::time_point> real_limit) = 0;

  // Blocks the calling thread until SteadyNow() reaches `when` (returns at once if it has).
  // Built on WaitUntil, so a FakeClock sleeper wakes when a test advances the clock past `when`.
  virtual void SleepUntil(std::chrono::steady_clock::time_point when);
  void SleepFor(Duration d) { SleepUntil(SteadyNow() + d); }
};

class SystemClock final : public Clock {
 public:
  TimePoint Now() const override;
  std::chrono::steady_clock::time_point SteadyNow() const override;
  void WaitUntil(std::unique_lock<std::mutex>& lock, std::condition_variable& cv,
                 std::optional<std::chrono::steady_clock::time_point> until,
                 std::optional<std::chrono::steady_clock::time_point> real_limit) override;
  void SleepUntil(std::chrono::steady_clock::time_point when) override;
};

// The process-wide real clock, for main() to inject.
std::shared_ptr<Clock> RealClock();

// RFC 3339 with second precision in UTC ("2026-11-22T08:00:00Z"), as Kubernetes writes times.
std::string FormatRfc3339(Clock::TimePoint t);
// The inverse for UTC times ("...Z", optional fraction ignored); nullopt for anything else.
std::optional<Clock::TimePoint> ParseRfc3339(const std::string& text);

}  // namespace kubeheal
