#include "kubeheal/kube/cancel_token.h"

#include <vector>

namespace kubeheal::kube {

void CancelToken::Cancel() {
  std::vector<std::function<void()>> to_run;
  {
    std::lock_guard lock(mu_);
    if (cancelled_) return;
    cancelled_ = true;
    for (auto& [id, fn] : callbacks_) to_run.push_back(std::move(fn));
    callbacks_.clear();
  }
  cv_.notify_all();
  // Outside the lock: a callback may take other locks (e.g. a transport's).
  for (auto& fn : to_run) fn();
}

bool CancelToken::cancelled() const {
  std::lock_guard lock(mu_);
  return cancelled_;
}

bool CancelToken::WaitFor(std::chrono::nanoseconds d) const {
  std::unique_lock lock(mu_);
  return cv_.wait_for(lock, d, [this] { return cancelled_; });
}

bool CancelToken::WaitFor(Clock& clock, std::chrono::nanoseconds d) const {
  std::unique_lock lock(mu_);
  const auto until = clock.SteadyNow() + d;
  while (!cancelled_ && clock.SteadyNow() < until) clock.WaitUntil(lock, cv_, until, std::nullopt);
  return cancelled_;
}

int CancelToken::Register(std::function<void()> fn) {
  {
    std::lock_guard lock(mu_);
    if (!cancelled_) {
      const int id = ++next_id_;
      callbacks_[id] = std::move(fn);
      return id;
    }
  }
  fn();
  return 0;
}

void CancelToken::Unregister(int id) {
  std::lock_guard lock(mu_);
  callbacks_.erase(id);
}

}  // namespace kubeheal::kube
