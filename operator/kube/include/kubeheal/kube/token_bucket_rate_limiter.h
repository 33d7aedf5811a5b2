#pragma once

#include <memory>
#include <mutex>

#include "kubeheal/common/clock.h"
#include "kubeheal/kube/rate_limiter.h"

namespace kubeheal::kube {

// An overall token bucket (qps refill, burst capacity) shared by all items: each When()
// reserves a token and returns how long until it is available, so a storm of failures is
// spread out instead of hammering the API server. Time comes from the injected Clock.
class TokenBucketRateLimiter final : public RateLimiter {
 public:
  TokenBucketRateLimiter(double qps, int burst, std::shared_ptr<Clock> clock);

  std::chrono::nanoseconds When(const std::string& key) override;
  void Forget(const std::string&) override {}
  int NumRequeues(const std::string&) override { return 0; }

 private:
  double qps_;
  double burst_;
  std::shared_ptr<Clock> clock_;
  std::mutex mu_;
  double tokens_;
  std::chrono::steady_clock::time_point last_;
};

}  // namespace kubeheal::kube
