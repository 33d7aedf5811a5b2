#pragma once

#include <chrono>
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

// How a controller spaces the retries of a failed key: a per-item delay doubling from
// base_delay to max_delay, and an overall bucket of qps with burst. The defaults are client-go's
// (5ms..1000s, 10 qps / 100 burst); the operator sets the per-item range by flags.
struct ControllerRateLimiterOptions {
  std::chrono::nanoseconds base_delay = std::chrono::milliseconds(5);
  std::chrono::nanoseconds max_delay = std::chrono::seconds(1000);
  double qps = 10.0;
  int burst = 100;
};

// The longest of the per-item exponential delay and the overall bucket, as client-go's
// DefaultControllerRateLimiter.
std::unique_ptr<RateLimiter> DefaultControllerRateLimiter(
    std::shared_ptr<Clock> clock, const ControllerRateLimiterOptions& options = {});

}  // namespace kubeheal::kube
