#include <algorithm>
#include <cmath>

#include "kubeheal/kube/item_exponential_rate_limiter.h"
#include "kubeheal/kube/max_of_rate_limiter.h"
#include "kubeheal/kube/token_bucket_rate_limiter.h"

namespace kubeheal::kube {

std::chrono::nanoseconds ItemExponentialRateLimiter::When(const std::string& key) {
  std::lock_guard lock(mu_);
  const int n = failures_[key]++;
  const double d = static_cast<double>(base_.count()) * std::pow(2.0, std::min(n, 62));
  if (d >= static_cast<double>(max_.count())) return max_;
  return std::chrono::nanoseconds(static_cast<std::chrono::nanoseconds::rep>(d));
}

void ItemExponentialRateLimiter::Forget(const std::string& key) {
  std::lock_guard lock(mu_);
  failures_.erase(key);
}

int ItemExponentialRateLimiter::NumRequeues(const std::string& key) {
  std::lock_guard lock(mu_);
  auto it = failures_.find(key);
  return it == failures_.end() ? 0 : it->second;
}

TokenBucketRateLimiter::TokenBucketRateLimiter(double qps, int burst, std::shared_ptr<Clock> clock)
    : qps_(qps),
      burst_(burst),
      clock_(std::move(clock)),
      tokens_(burst),
      last_(clock_->SteadyNow()) {}

std::chrono::nanoseconds TokenBucketRateLimiter::When(const std::string&) {
  std::lock_guard lock(mu_);
  const auto now = clock_->SteadyNow();
  const double elapsed = std::chrono::duration<double>(now - last_).count();
  if (elapsed > 0) {
    tokens_ = std::min(burst_, tokens_ + elapsed * qps_);
    last_ = now;
  }
  // Reserve a token even if it is not there yet: the debt is the wait.
  tokens_ -= 1.0;
  if (tokens_ >= 0) return std::chrono::nanoseconds(0);
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
      std::chrono::duration<double>(-tokens_ / qps_));
}

std::chrono::nanoseconds MaxOfRateLimiter::When(const std::string& key) {
  std::chrono::nanoseconds longest{0};
  for (auto& l : limiters_) longest = std::max(longest, l->When(key));
  return longest;
}

void MaxOfRateLimiter::Forget(const std::string& key) {
  for (auto& l : limiters_) l->Forget(key);
}

int MaxOfRateLimiter::NumRequeues(const std::string& key) {
  int most = 0;
  for (auto& l : limiters_) most = std::max(most, l->NumRequeues(key));
  return most;
}

std::unique_ptr<RateLimiter> DefaultControllerRateLimiter(
    std::shared_ptr<Clock> clock, const ControllerRateLimiterOptions& options) {
  std::vector<std::unique_ptr<RateLimiter>> v;
  v.push_back(std::make_unique<ItemExponentialRateLimiter>(options.base_delay, options.max_delay));
  v.push_back(
      std::make_unique<TokenBucketRateLimiter>(options.qps, options.burst, std::move(clock)));
  return std::make_unique<MaxOfRateLimiter>(std::move(v));
}

}  // namespace kubeheal::kube
