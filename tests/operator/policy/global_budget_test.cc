#include "kubeheal/policy/global_budget.h"

#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace kubeheal::policy {
namespace {

using std::chrono::minutes;

const Clock::TimePoint kT0{std::chrono::seconds(1'800'000'000)};

TEST(GlobalBudgetTest, SlidingHour) {
  GlobalBudget budget(3);
  EXPECT_TRUE(budget.TryAcquire(kT0));
  EXPECT_TRUE(budget.TryAcquire(kT0 + minutes(10)));
  EXPECT_TRUE(budget.TryAcquire(kT0 + minutes(20)));
  EXPECT_FALSE(budget.TryAcquire(kT0 + minutes(30)));
  EXPECT_EQ(budget.UsedInLastHour(kT0 + minutes(30)), 3);
  EXPECT_FALSE(budget.TryAcquire(kT0 + minutes(59)));
  EXPECT_TRUE(budget.TryAcquire(kT0 + minutes(60)));  // the first one left the window
  EXPECT_FALSE(budget.TryAcquire(kT0 + minutes(61)));
}

TEST(GlobalBudgetTest, ZeroMeansUnlimited) {
  GlobalBudget budget(0);
  for (int i = 0; i < 1000; ++i) EXPECT_TRUE(budget.TryAcquire(kT0));
}

TEST(GlobalBudgetTest, RememberedActionsCountAfterARestart) {
  GlobalBudget budget(2);
  budget.Remember(kT0 - minutes(30));
  budget.Remember(kT0 - minutes(90));  // already outside the hour
  EXPECT_TRUE(budget.TryAcquire(kT0));
  EXPECT_FALSE(budget.TryAcquire(kT0));
}

TEST(GlobalBudgetTest, AReleasedActionIsGivenBackOnce) {
  GlobalBudget budget(2);
  EXPECT_TRUE(budget.TryAcquire(kT0));
  EXPECT_TRUE(budget.TryAcquire(kT0));
  budget.Release(kT0);
  EXPECT_EQ(budget.UsedInLastHour(kT0), 1);
  budget.Release(kT0 + minutes(1));  // never taken: nothing to give back
  EXPECT_EQ(budget.UsedInLastHour(kT0), 1);
  EXPECT_TRUE(budget.TryAcquire(kT0));
  EXPECT_FALSE(budget.TryAcquire(kT0));
}

TEST(GlobalBudgetTest, ConcurrentPoliciesNeverOverspend) {
  GlobalBudget budget(50);
  std::atomic<int> granted{0};
  std::vector<std::thread> workers;
  for (int w = 0; w < 8; ++w) {
    workers.emplace_back([&] {
      for (int i = 0; i < 100; ++i) {
        if (budget.TryAcquire(kT0)) ++granted;
      }
    });
  }
  for (auto& t : workers) t.join();
  EXPECT_EQ(granted.load(), 50);
}

}  // namespace
}  // namespace kubeheal::policy
