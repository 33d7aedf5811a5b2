#include "watchdog.h"

namespace kubeheal::agent {

struct Watchdog::State : std::enable_shared_from_this<Watchdog::State> {
  State(const asio::any_io_executor& executor, const Clock& time, std::function<void()> onExpire)
      : timer(executor), time(time), onExpire(std::move(onExpire)) {}

  void schedule(TimePoint at) {
    scheduledAt = at;
    waiting = true;
    const std::uint64_t generation = ++scheduled;
    // expires_at() cancels a pending wait; its handler then sees a stale generation.
    timer.expires_at(at);
    timer.async_wait(
        [self = shared_from_this(), generation](const error_code&) { self->onTimer(generation); });
  }

  void onTimer(std::uint64_t generation) {
    if (generation != scheduled) return;  // superseded by a later schedule()
    waiting = false;
    if (stopped || deadline == TimePoint::max()) return;  // disarmed: arm() schedules again
    const TimePoint now = time.SteadyNow();
    if (now >= deadline) {
      deadline = TimePoint::max();
      expired = true;
      if (onExpire) onExpire();
      return;
    }
    schedule(deadline);
  }

  asio::steady_timer timer;
  const Clock& time;
  std::function<void()> onExpire;
  TimePoint deadline = TimePoint::max();
  TimePoint scheduledAt = TimePoint::max();
  std::uint64_t scheduled = 0;
  bool waiting = false;
  bool stopped = false;
  bool expired = false;
};

Watchdog::Watchdog(const asio::any_io_executor& executor, const Clock& time,
                   std::function<void()> onExpire)
    : state_(std::make_shared<State>(executor, time, std::move(onExpire))) {}

Watchdog::~Watchdog() {
  state_->stopped = true;
  state_->onExpire = nullptr;
  state_->timer.cancel();
}

void Watchdog::arm(std::chrono::milliseconds timeout) {
  State& s = *state_;
  s.deadline = s.time.SteadyNow() + timeout;
  // A pending wait that ends before the deadline re-arms itself when it fires; one that ends
  // after it (rare: a shorter timeout following a longer one) is replaced.
  if (!s.waiting || s.deadline < s.scheduledAt) s.schedule(s.deadline);
}

void Watchdog::disarm() { state_->deadline = TimePoint::max(); }
bool Watchdog::expired() const { return state_->expired; }
void Watchdog::reset() { state_->expired = false; }

}  // namespace kubeheal::agent
