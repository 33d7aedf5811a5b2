#pragma once

#include <mutex>
#include <unordered_map>

#include "kubeheal/kube/rate_limiter.h"

namespace kubeheal::kube {

// Per-item exponential backoff: base * 2^failures, capped at max.
class ItemExponentialRateLimiter final : public RateLimiter {
 public:
  ItemExponentialRateLimiter(std::chrono::nanoseconds base, std::chrono::nanoseconds max)
      : base_(base), max_(max) {}

  std::chrono::nanoseconds When(const std::string& key) override;
  void Forget(const std::string& key) override;
  int NumRequeues(const std::string& key) override;

 private:
  std::chrono::nanoseconds base_, max_;
  std::mutex mu_;
  std::unordered_map<std::string, int> failures_;
};

}  // namespace kubeheal::kube
