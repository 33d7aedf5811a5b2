#pragma once

#include <atomic>

#include "kubeheal/common/clock.h"

namespace kubeheal {

// Test-only clock that moves when told to. Thread-safe: Advance() may run on the test thread
// while code under test reads Now() on its own threads.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(TimePoint start = TimePoint(std::chrono::seconds(1'800'000'000)))
      : now_ns_(start.time_since_epoch().count()) {}

  TimePoint Now() const override { return TimePoint(Duration(now_ns_.load())); }
  std::chrono::steady_clock::time_point SteadyNow() const override {
    return std::chrono::steady_clock::time_point(Duration(now_ns_.load()));
  }
  void Advance(Duration d) { now_ns_ += d.count(); }
  void Set(TimePoint t) { now_ns_ = t.time_since_epoch().count(); }

 private:
  std::atomic<Duration::rep> now_ns_;
};

}  // namespace kubeheal
