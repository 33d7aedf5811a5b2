#include "kubeheal/agent/throttle.h"

#include <algorithm>
#include <cmath>

namespace kubeheal::agent {

Throttle::Throttle(const Clock& time) : time_(time) {}

void Throttle::enable(double rps, double burst, std::optional<double> ttlSeconds) {
  const auto now = time_.SteadyNow();
  std::lock_guard lock(mutex_);
  // The same rate again is a renewal (the operator re-sends it to keep a short ttl alive): only
  // the expiry moves, the bucket keeps its tokens, so a renewal lets no burst through.
  const bool renewal = !expiredLocked(now) && bucket_->rps() == rps && bucket_->burst() == burst;
  if (!renewal) bucket_.emplace(rps, burst, now);
  expiresAt_.reset();
  if (ttlSeconds) {
    expiresAt_ = now + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                           std::chrono::duration<double>(*ttlSeconds));
  }
  enabled_.store(true, std::memory_order_release);
}

void Throttle::disable() {
  std::lock_guard lock(mutex_);
  bucket_.reset();
  expiresAt_.reset();
  enabled_.store(false, std::memory_order_release);
}

bool Throttle::expiredLocked(std::chrono::steady_clock::time_point now) {
  if (bucket_ && expiresAt_ && now >= *expiresAt_) {
    bucket_.reset();
    expiresAt_.reset();
    enabled_.store(false, std::memory_order_release);
  }
  return !bucket_;
}

Throttle::Admission Throttle::admit() {
  if (!enabled_.load(std::memory_order_acquire)) return Admission{};
  const auto now = time_.SteadyNow();
  std::lock_guard lock(mutex_);
  if (expiredLocked(now)) return Admission{};
  if (bucket_->tryTake(now)) return Admission{};
  throttled_.fetch_add(1, std::memory_order_relaxed);
  const double wait = std::chrono::duration<double>(bucket_->timeUntilToken(now)).count();
  return Admission{false, std::chrono::seconds(std::max<std::int64_t>(
                              1, static_cast<std::int64_t>(std::ceil(wait))))};
}

Throttle::Status Throttle::status() {
  const auto now = time_.SteadyNow();
  std::lock_guard lock(mutex_);
  Status status;
  status.throttled = throttled_.load(std::memory_order_relaxed);
  if (expiredLocked(now)) return status;
  status.enabled = true;
  status.rps = bucket_->rps();
  status.burst = bucket_->burst();
  status.tokens = bucket_->tokens(now);
  status.expiresAt = expiresAt_;
  return status;
}

}  // namespace kubeheal::agent
