#include "kubeheal/policy/global_budget.h"

#include <algorithm>

namespace kubeheal::policy {

void GlobalBudget::Prune(Clock::TimePoint now) {
  while (!taken_.empty() && taken_.front() <= now - std::chrono::hours(1)) taken_.pop_front();
}

bool GlobalBudget::TryAcquire(Clock::TimePoint now) {
  std::lock_guard lock(mu_);
  Prune(now);
  if (max_per_hour_ > 0 && static_cast<int>(taken_.size()) >= max_per_hour_) return false;
  taken_.insert(std::upper_bound(taken_.begin(), taken_.end(), now), now);
  return true;
}

void GlobalBudget::Remember(Clock::TimePoint at) {
  std::lock_guard lock(mu_);
  taken_.insert(std::upper_bound(taken_.begin(), taken_.end(), at), at);
}

void GlobalBudget::Release(Clock::TimePoint at) {
  std::lock_guard lock(mu_);
  if (auto it = std::find(taken_.begin(), taken_.end(), at); it != taken_.end()) taken_.erase(it);
}

int GlobalBudget::UsedInLastHour(Clock::TimePoint now) {
  std::lock_guard lock(mu_);
  Prune(now);
  return static_cast<int>(taken_.size());
}

}  // namespace kubeheal::policy
