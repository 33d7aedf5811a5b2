#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>

#include "kubeheal/common/clock.h"

namespace kubeheal::kube {

// A stop signal shared by a loop's owner and the loop's thread: Cancel() from any thread wakes
// every WaitFor() at once and runs the registered callbacks (e.g. aborting an HTTP stream), so
// a component stops promptly instead of at the end of its current sleep or request.
// Thread-safe. Waits use real time: tests that drive a FakeClock pass short waits.
class CancelToken {
 public:
  void Cancel();
  bool cancelled() const;
  // Sleeps up to `d` of real time; returns true at once if (or as soon as) the token is
  // cancelled.
  bool WaitFor(std::chrono::nanoseconds d) const;
  // The same on `clock` (Clock::WaitUntil): a FakeClock advanced past `d` ends the wait.
  bool WaitFor(Clock& clock, std::chrono::nanoseconds d) const;
  // Runs `fn` on Cancel() (or immediately if already cancelled). Returns an id for Unregister.
  int Register(std::function<void()> fn);
  void Unregister(int id);

 private:
  mutable std::mutex mu_;
  mutable std::condition_variable cv_;
  bool cancelled_ = false;
  int next_id_ = 0;
  std::map<int, std::function<void()>> callbacks_;
};

}  // namespace kubeheal::kube
