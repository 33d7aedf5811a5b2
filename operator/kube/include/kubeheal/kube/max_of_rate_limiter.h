#pragma once

#include <memory>
#include <vector>

#include "kubeheal/common/clock.h"
#include "kubeheal/kube/rate_limiter.h"

namespace kubeheal::kube {

// The longest delay of several limiters (client-go's default controller limiter is
// max(per-item exponential, overall token bucket)).
class MaxOfRateLimiter final : public RateLimiter {
 public:
  explicit MaxOfRateLimiter(std::vector<std::unique_ptr<RateLimiter>> limiters)
      : limiters_(std::move(limiters)) {}

  std::chrono::nanoseconds When(const std::string& key) override;
  void Forget(const std::string& key) override;
  int NumRequeues(const std::string& key) override;

 private:
  std::vector<std::unique_ptr<RateLimiter>> limiters_;
};

// Per-item 5ms..1000s exponential plus a 10 qps / 100 burst bucket, as client-go.
std::unique_ptr<RateLimiter> DefaultControllerRateLimiter(std::shared_ptr<Clock> clock);

}  // namespace kubeheal::kube
