#include "kubeheal/kube/work_queue.h"

#include <algorithm>

#include "kubeheal/kube/kube_metrics.h"

namespace kubeheal::kube {
WorkQueue::WorkQueue(std::string name, std::shared_ptr<Clock> clock,
                     std::unique_ptr<RateLimiter> limiter, std::shared_ptr<KubeMetrics> metrics)
    : name_(std::move(name)),
      clock_(std::move(clock)),
      limiter_(std::move(limiter)),
      metrics_(std::move(metrics)) {
  if (metrics_) metrics_->QueueDepth(name_, 0);
}

void WorkQueue::ReportDepthLocked() {
  if (metrics_) metrics_->QueueDepth(name_, static_cast<double>(queue_.size()));
}

void WorkQueue::AddLocked(const std::string& key) {
  if (shutting_down_ || dirty_.count(key)) return;
  dirty_.insert(key);
  if (metrics_) metrics_->QueueAdded(name_);
  if (processing_.count(key)) return;  // re-queued by Done()
  queue_.push_back(key);
  ReportDepthLocked();
  cv_.notify_one();
}

void WorkQueue::Add(const std::string& key) {
  std::lock_guard lock(mu_);
  delayed_.erase(key);
  AddLocked(key);
}

void WorkQueue::AddAfter(const std::string& key, std::chrono::nanoseconds delay) {
  if (delay <= std::chrono::nanoseconds(0)) {
    Add(key);
    return;
  }
  std::lock_guard lock(mu_);
  if (shutting_down_) return;
  const auto due = clock_->SteadyNow() + delay;
  auto [it, inserted] = delayed_.emplace(key, due);
  if (!inserted) it->second = std::min(it->second, due);
  cv_.notify_all();
}

void WorkQueue::AddRateLimited(const std::string& key) { AddAfter(key, limiter_->When(key)); }

void WorkQueue::Forget(const std::string& key) { limiter_->Forget(key); }

int WorkQueue::NumRequeues(const std::string& key) { return limiter_->NumRequeues(key); }

std::optional<std::chrono::steady_clock::time_point> WorkQueue::PromoteDueLocked() {
  if (delayed_.empty()) return std::nullopt;
  const auto now = clock_->SteadyNow();
  std::optional<std::chrono::steady_clock::time_point> next;
  for (auto it = delayed_.begin(); it != delayed_.end();) {
    if (it->second <= now) {
      const std::string key = it->first;
      it = delayed_.erase(it);
      AddLocked(key);
    } else {
      next = next ? std::min(*next, it->second) : it->second;
      ++it;
    }
  }
  return next;
}

std::optional<std::string> WorkQueue::GetUntil(
    std::optional<std::chrono::steady_clock::time_point> deadline) {
  std::unique_lock lock(mu_);
  while (true) {
    const auto next_due = PromoteDueLocked();
    if (!queue_.empty()) break;
    if (shutting_down_) return std::nullopt;
    if (deadline && std::chrono::steady_clock::now() >= *deadline) return std::nullopt;
    // Sleep until an add, shutdown, the next delayed key's due time on the (maybe fake) clock,
    // or the caller's real-time deadline.
    clock_->WaitUntil(lock, cv_, next_due, deadline);
  }
  std::string key = std::move(queue_.front());
  queue_.pop_front();
  dirty_.erase(key);
  processing_.insert(key);
  ReportDepthLocked();
  return key;
}

std::optional<std::string> WorkQueue::Get() { return GetUntil(std::nullopt); }

std::optional<std::string> WorkQueue::TryGet(std::chrono::nanoseconds timeout) {
  return GetUntil(std::chrono::steady_clock::now() + timeout);
}

void WorkQueue::Done(const std::string& key) {
  std::lock_guard lock(mu_);
  processing_.erase(key);
  if (dirty_.count(key)) {
    queue_.push_back(key);
    ReportDepthLocked();
    cv_.notify_one();
  }
}

void WorkQueue::ShutDown() {
  std::lock_guard lock(mu_);
  shutting_down_ = true;
  cv_.notify_all();
}

bool WorkQueue::shutting_down() const {
  std::lock_guard lock(mu_);
  return shutting_down_;
}

size_t WorkQueue::Len() const {
  std::lock_guard lock(mu_);
  return queue_.size();
}

size_t WorkQueue::DelayedLen() const {
  std::lock_guard lock(mu_);
  return delayed_.size();
}

}  // namespace kubeheal::kube
