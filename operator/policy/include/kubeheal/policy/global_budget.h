#pragma once

#include <deque>
#include <mutex>
#include <vector>

#include "kubeheal/common/clock.h"

namespace kubeheal::policy {

// The operator-wide limit on actions per sliding hour (--max-actions-per-hour), shared by
// every policy's evaluation. Thread-safe: workers evaluating different policies call it at once.
// It lives in memory only; after a restart the controller may Remember() the recent actions
// found in the policies' states so the limit still holds.
class GlobalBudget {
 public:
  // max_per_hour <= 0: no limit.
  explicit GlobalBudget(int max_per_hour) : max_per_hour_(max_per_hour) {}

  // Takes one action from the budget at `now`; false when the hour's budget is spent.
  bool TryAcquire(Clock::TimePoint now);
  // Counts an action taken at `at` without checking the limit (state restored after restart).
  void Remember(Clock::TimePoint at);
  // Gives back one action taken at `at` (a decision that was never carried out).
  void Release(Clock::TimePoint at);
  int UsedInLastHour(Clock::TimePoint now);
  int limit() const { return max_per_hour_; }

 private:
  void Prune(Clock::TimePoint now);

  const int max_per_hour_;
  std::mutex mu_;
  std::deque<Clock::TimePoint> taken_;  // sorted oldest first; guarded by mu_
};

}  // namespace kubeheal::policy
