#pragma once

#include <chrono>
#include <string>

namespace kubeheal::kube {

// Decides how long an item waits before it is retried. Implementations are thread-safe.
class RateLimiter {
 public:
  virtual ~RateLimiter() = default;
  // The delay for the next retry of `key` (and counts the retry).
  virtual std::chrono::nanoseconds When(const std::string& key) = 0;
  // Forget `key`'s history after success, so its next failure starts from the base delay.
  virtual void Forget(const std::string& key) = 0;
  virtual int NumRequeues(const std::string& key) = 0;
};

}  // namespace kubeheal::kube
