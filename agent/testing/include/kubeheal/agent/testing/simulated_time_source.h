#pragma once

#include <atomic>
#include <chrono>

#include "kubeheal/agent/time_source.h"

namespace kubeheal::agent::testing {

// A clock that moves only when the test says so. Safe to read from several threads.
class SimulatedTimeSource final : public TimeSource {
 public:
  SimulatedTimeSource()
      : steady_(std::chrono::steady_clock::time_point(std::chrono::hours(1000))
                    .time_since_epoch()
                    .count()),
        system_(std::chrono::system_clock::time_point(std::chrono::seconds(1'800'000'000))
                    .time_since_epoch()
                    .count()) {}

  std::chrono::steady_clock::time_point steadyNow() const override {
    return std::chrono::steady_clock::time_point(
        std::chrono::steady_clock::duration(steady_.load()));
  }
  std::chrono::system_clock::time_point systemNow() const override {
    return std::chrono::system_clock::time_point(
        std::chrono::system_clock::duration(system_.load()));
  }
  template <class Rep, class Period>
  void advance(std::chrono::duration<Rep, Period> by) {
    steady_ += std::chrono::duration_cast<std::chrono::steady_clock::duration>(by).count();
    system_ += std::chrono::duration_cast<std::chrono::system_clock::duration>(by).count();
  }

 private:
  std::atomic<std::chrono::steady_clock::rep> steady_;
  std::atomic<std::chrono::system_clock::rep> system_;
};

}  // namespace kubeheal::agent::testing
