#include "kubeheal/agent/circuit_breaker.h"

#include <algorithm>
#include <cmath>

namespace kubeheal::agent {
namespace {

using SteadyClock = std::chrono::steady_clock;

SteadyClock::duration secondsToDuration(double seconds) {
  return std::chrono::duration_cast<SteadyClock::duration>(std::chrono::duration<double>(seconds));
}

// Whole seconds until `until`, at least one: what Retry-After can say.
std::chrono::seconds retryAfter(SteadyClock::time_point now, SteadyClock::time_point until) {
  const double seconds = std::chrono::duration<double>(until - now).count();
  return std::chrono::seconds(
      std::max<std::int64_t>(1, static_cast<std::int64_t>(std::ceil(seconds))));
}

// Everything but the ttl.
bool SameSettings(CircuitConfig a, CircuitConfig b) {
  a.ttlSeconds.reset();
  b.ttlSeconds.reset();
  return a == b;
}

}  // namespace

CircuitBreaker::CircuitBreaker(const Clock& time, CircuitConfig initial)
    : time_(time), epoch_(time.SteadyNow()) {
  configure(initial);
}

std::int64_t CircuitBreaker::secondOf(SteadyClock::time_point now) const {
  return std::chrono::duration_cast<std::chrono::seconds>(now - epoch_).count();
}

void CircuitBreaker::configure(const CircuitConfig& config) {
  const auto now = time_.SteadyNow();
  std::lock_guard lock(mutex_);
  refreshLocked(now);
  // The same settings with a ttl while one runs is a renewal (the operator re-sends them to
  // keep a short ttl alive): only the expiry moves; the state (open, half-open, the window's
  // counts) and what the ttl goes back to are kept.
  if (config.ttlSeconds && expiresAt_ && SameSettings(config, config_)) {
    expiresAt_ = now + secondsToDuration(*config.ttlSeconds);
    return;
  }
  if (config.ttlSeconds) {
    if (!expiresAt_) {
      previous_ = config_;
      previous_->ttlSeconds.reset();
    }
    expiresAt_ = now + secondsToDuration(*config.ttlSeconds);
  } else {
    previous_.reset();
    expiresAt_.reset();
  }
  applyLocked(config, now);
}

void CircuitBreaker::applyLocked(const CircuitConfig& config, SteadyClock::time_point now) {
  config_ = config;
  window_.assign(std::max<std::uint32_t>(1, config_.windowSeconds), WindowBucket{});
  closeLocked();
  bypass_.store(config_.mode == CircuitMode::kClosed && !expiresAt_, std::memory_order_release);
}

void CircuitBreaker::closeLocked() {
  autoState_ = CircuitState::kClosed;
  consecutiveFailures_ = 0;
  probesAdmitted_ = 0;
  probesSucceeded_ = 0;
  for (auto& bucket : window_) bucket = WindowBucket{};
}

void CircuitBreaker::tripLocked(SteadyClock::time_point now) {
  autoState_ = CircuitState::kOpen;
  openUntil_ = now + secondsToDuration(config_.openSeconds);
  probesAdmitted_ = 0;
  probesSucceeded_ = 0;
  ++trips_;
}

void CircuitBreaker::refreshLocked(SteadyClock::time_point now) {
  if (expiresAt_ && now >= *expiresAt_) {
    CircuitConfig restored = previous_.value_or(CircuitConfig{});
    restored.ttlSeconds.reset();
    previous_.reset();
    expiresAt_.reset();
    applyLocked(restored, now);
  }
  if (config_.mode == CircuitMode::kAuto && autoState_ == CircuitState::kOpen &&
      now >= openUntil_) {
    autoState_ = CircuitState::kHalfOpen;
    probesAdmitted_ = 0;
    probesSucceeded_ = 0;
  }
}

CircuitBreaker::Admission CircuitBreaker::admit() {
  if (bypass_.load(std::memory_order_acquire)) return Admission{};
  const auto now = time_.SteadyNow();
  std::lock_guard lock(mutex_);
  refreshLocked(now);
  switch (config_.mode) {
    case CircuitMode::kClosed:
      return Admission{};
    case CircuitMode::kOpen:
      return Admission{false, false,
                       expiresAt_ ? retryAfter(now, *expiresAt_) : std::chrono::seconds(1)};
    case CircuitMode::kAuto:
      break;
  }
  switch (autoState_) {
    case CircuitState::kClosed:
      return Admission{};
    case CircuitState::kOpen:
      return Admission{false, false, retryAfter(now, openUntil_)};
    case CircuitState::kHalfOpen:
      if (probesAdmitted_ < config_.halfOpenProbes) {
        ++probesAdmitted_;
        return Admission{true, true, std::chrono::seconds(0)};
      }
      return Admission{false, false, std::chrono::seconds(1)};
  }
  return Admission{};
}

void CircuitBreaker::countLocked(SteadyClock::time_point now, bool failure) {
  const std::int64_t second = secondOf(now);
  WindowBucket& bucket = window_[static_cast<std::size_t>(second) % window_.size()];
  if (bucket.second != second) bucket = WindowBucket{second, 0, 0};
  ++bucket.requests;
  if (failure) ++bucket.failures;
}

void CircuitBreaker::sumWindowLocked(SteadyClock::time_point now, std::uint64_t& requests,
                                     std::uint64_t& failures) const {
  const std::int64_t second = secondOf(now);
  const auto span = static_cast<std::int64_t>(window_.size());
  requests = 0;
  failures = 0;
  for (const auto& bucket : window_) {
    if (bucket.second >= 0 && bucket.second > second - span && bucket.second <= second) {
      requests += bucket.requests;
      failures += bucket.failures;
    }
  }
}

void CircuitBreaker::record(const Admission& admission, Outcome outcome) {
  if (bypass_.load(std::memory_order_acquire)) return;
  const auto now = time_.SteadyNow();
  std::lock_guard lock(mutex_);
  refreshLocked(now);
  if (config_.mode != CircuitMode::kAuto) return;
  if (outcome == Outcome::kNeutral) {
    if (admission.probe && autoState_ == CircuitState::kHalfOpen && probesAdmitted_ > 0) {
      --probesAdmitted_;
    }
    return;
  }
  const bool failure = outcome == Outcome::kFailure;
  switch (autoState_) {
    case CircuitState::kOpen:
      return;
    case CircuitState::kHalfOpen:
      if (!admission.probe) return;  // admitted before the trip; says nothing about now
      if (failure) {
        tripLocked(now);
      } else if (++probesSucceeded_ >= config_.halfOpenProbes) {
        closeLocked();
      }
      return;
    case CircuitState::kClosed:
      break;
  }
  countLocked(now, failure);
  consecutiveFailures_ = failure ? consecutiveFailures_ + 1 : 0;
  if (!failure) return;
  if (config_.consecutive5xx > 0 && consecutiveFailures_ >= config_.consecutive5xx) {
    tripLocked(now);
    return;
  }
  if (config_.errorRatio > 0) {
    std::uint64_t requests = 0;
    std::uint64_t failures = 0;
    sumWindowLocked(now, requests, failures);
    if (requests >= config_.minRequests &&
        static_cast<double>(failures) >= config_.errorRatio * static_cast<double>(requests)) {
      tripLocked(now);
    }
  }
}

CircuitState CircuitBreaker::state() {
  if (bypass_.load(std::memory_order_acquire)) return CircuitState::kClosed;
  const auto now = time_.SteadyNow();
  std::lock_guard lock(mutex_);
  refreshLocked(now);
  switch (config_.mode) {
    case CircuitMode::kClosed:
      return CircuitState::kClosed;
    case CircuitMode::kOpen:
      return CircuitState::kOpen;
    case CircuitMode::kAuto:
      return autoState_;
  }
  return CircuitState::kClosed;
}

CircuitBreaker::Status CircuitBreaker::status() {
  const auto now = time_.SteadyNow();
  std::lock_guard lock(mutex_);
  refreshLocked(now);
  Status status;
  status.config = config_;
  status.state = config_.mode == CircuitMode::kAuto   ? autoState_
                 : config_.mode == CircuitMode::kOpen ? CircuitState::kOpen
                                                      : CircuitState::kClosed;
  status.expiresAt = expiresAt_;
  if (config_.mode == CircuitMode::kAuto && autoState_ == CircuitState::kOpen) {
    status.openUntil = openUntil_;
  }
  status.consecutiveFailures = consecutiveFailures_;
  sumWindowLocked(now, status.windowRequests, status.windowFailures);
  status.trips = trips_;
  return status;
}

}  // namespace kubeheal::agent
