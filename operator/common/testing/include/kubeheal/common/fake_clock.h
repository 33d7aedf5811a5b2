#pragma once

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <vector>

#include "kubeheal/common/clock.h"

namespace kubeheal {

// Test-only clock that moves when told to. Thread-safe: Advance() may run on the test thread
// while code under test reads Now() or waits in WaitUntil() on its own threads.
// WaitUntil registers the waiter; Advance() and Set() wake every registered waiter, taking the
// waiter's own mutex first so a wake-up between the waiter's check and its wait is not lost.
// A waiter's mutex must outlive any Advance() or Set() running while it waits.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(TimePoint start = TimePoint(std::chrono::seconds(1'800'000'000)))
      : now_ns_(start.time_since_epoch().count()) {}

  TimePoint Now() const override { return TimePoint(Duration(now_ns_.load())); }
  std::chrono::steady_clock::time_point SteadyNow() const override {
    return std::chrono::steady_clock::time_point(Duration(now_ns_.load()));
  }

  void WaitUntil(std::unique_lock<std::mutex>& lock, std::condition_variable& cv,
                 std::optional<std::chrono::steady_clock::time_point> until,
                 std::optional<std::chrono::steady_clock::time_point> real_limit) override {
    if (until && SteadyNow() >= *until) return;
    const Waiter self{lock.mutex(), &cv};
    {
      std::lock_guard registry(registry_mu_);
      waiters_.push_back(self);
    }
    // Advance() takes *lock.mutex() before notifying, so from here to the wait nothing is lost.
    if (real_limit) {
      cv.wait_until(lock, *real_limit);
    } else {
      cv.wait(lock);
    }
    std::lock_guard registry(registry_mu_);
    waiters_.erase(std::find(waiters_.begin(), waiters_.end(), self));
  }

  // Waits for a test to advance the clock past `when`; with SetAdvanceOnSleep(true) the sleeper
  // moves the clock there itself (never backwards), for single-threaded tests of code that
  // paces itself by sleeping (a load generator's schedule, a modelled service delay).
  void SleepUntil(std::chrono::steady_clock::time_point when) override {
    if (!advance_on_sleep_) {
      Clock::SleepUntil(when);
      return;
    }
    const Duration::rep target =
        std::chrono::duration_cast<Duration>(when.time_since_epoch()).count();
    Duration::rep now = now_ns_.load();
    while (now < target && !now_ns_.compare_exchange_weak(now, target)) {
    }
    WakeWaiters();
  }
  void SetAdvanceOnSleep(bool on) { advance_on_sleep_ = on; }

  void Advance(Duration d) {
    now_ns_ += d.count();
    WakeWaiters();
  }
  void Set(TimePoint t) {
    now_ns_ = t.time_since_epoch().count();
    WakeWaiters();
  }
  // How many threads are in WaitUntil now, for tests that must know a worker is waiting.
  std::size_t waiters() const {
    std::lock_guard registry(registry_mu_);
    return waiters_.size();
  }

 private:
  struct Waiter {
    std::mutex* mu;
    std::condition_variable* cv;
    bool operator==(const Waiter&) const = default;
  };

  void WakeWaiters() {
    std::vector<Waiter> copy;
    {
      std::lock_guard registry(registry_mu_);
      copy = waiters_;
    }
    // Without registry_mu_ held: a waiter registers while holding its own mutex, so taking the
    // two the other way round here could deadlock.
    for (const Waiter& w : copy) {
      std::lock_guard waiter_lock(*w.mu);
      w.cv->notify_all();
    }
  }

  std::atomic<Duration::rep> now_ns_;
  std::atomic<bool> advance_on_sleep_{false};
  mutable std::mutex registry_mu_;
  std::vector<Waiter> waiters_;
};

}  // namespace kubeheal
