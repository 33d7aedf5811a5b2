#pragma once

#include <chrono>
#include <functional>
#include <memory>

#include "asio_includes.h"
#include "kubeheal/common/clock.h"

namespace kubeheal::agent {

// One timer per connection that calls `onExpire` when the current deadline passes. Moving the
// deadline later (the common case: each step of a request re-arms it) only stores a time point;
// the timer is rescheduled lazily when it fires early, so re-arming costs no system call.
// Owned by one connection and used on its worker thread only. The timer state is shared with the
// pending wait so the Watchdog may be destroyed while a wait is outstanding.
class Watchdog {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;

  Watchdog(const asio::any_io_executor& executor, const Clock& time,
           std::function<void()> onExpire);
  ~Watchdog();
  Watchdog(const Watchdog&) = delete;
  Watchdog& operator=(const Watchdog&) = delete;

  void arm(std::chrono::milliseconds timeout);
  void disarm();
  bool expired() const;
  void reset();

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace kubeheal::agent
