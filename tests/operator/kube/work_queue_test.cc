#include <thread>

#include <gtest/gtest.h>

#include "kubeheal/common/fake_clock.h"
#include "kubeheal/kube/item_exponential_rate_limiter.h"
#include "kubeheal/kube/max_of_rate_limiter.h"
#include "kubeheal/kube/token_bucket_rate_limiter.h"
#include "kubeheal/kube/work_queue.h"

namespace kubeheal::kube {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
constexpr auto kShort = milliseconds(50);

class WorkQueueTest : public ::testing::Test {
 protected:
  std::shared_ptr<FakeClock> clock_ = std::make_shared<FakeClock>();
  WorkQueue q_{"test", clock_,
               std::make_unique<ItemExponentialRateLimiter>(milliseconds(10), seconds(1))};
};

TEST_F(WorkQueueTest, DeDuplicatesWaitingKeys) {
  q_.Add("a");
  q_.Add("b");
  q_.Add("a");
  EXPECT_EQ(q_.Len(), 2u);
  EXPECT_EQ(q_.TryGet(kShort), "a");
  EXPECT_EQ(q_.TryGet(kShort), "b");
  EXPECT_EQ(q_.TryGet(kShort), std::nullopt);
}

TEST_F(WorkQueueTest, KeyBeingProcessedIsRequeuedOnlyAfterDone) {
  q_.Add("a");
  auto key = q_.TryGet(kShort);
  ASSERT_EQ(key, "a");
  q_.Add("a");
  q_.Add("a");
  EXPECT_EQ(q_.TryGet(kShort), std::nullopt);  // never two workers on one key
  q_.Done("a");
  EXPECT_EQ(q_.TryGet(kShort), "a");
  q_.Done("a");
  EXPECT_EQ(q_.TryGet(kShort), std::nullopt);
}

TEST_F(WorkQueueTest, DelayedAddsWaitForTheClockAndKeepTheEarliestDueTime) {
  q_.AddAfter("a", seconds(10));
  q_.AddAfter("a", seconds(5));
  q_.AddAfter("b", seconds(7));
  EXPECT_EQ(q_.TryGet(kShort), std::nullopt);
  EXPECT_EQ(q_.DelayedLen(), 2u);
  clock_->Advance(seconds(5));
  EXPECT_EQ(q_.TryGet(kShort), "a");
  EXPECT_EQ(q_.TryGet(kShort), std::nullopt);
  clock_->Advance(seconds(2));
  EXPECT_EQ(q_.TryGet(kShort), "b");
}

TEST_F(WorkQueueTest, ImmediateAddCancelsAPendingDelay) {
  q_.AddAfter("a", seconds(10));
  q_.Add("a");
  EXPECT_EQ(q_.TryGet(kShort), "a");
  q_.Done("a");
  clock_->Advance(seconds(11));
  EXPECT_EQ(q_.TryGet(kShort), std::nullopt);
}

TEST_F(WorkQueueTest, RateLimitedAddsBackOffPerItemUntilForgotten) {
  q_.AddRateLimited("a");  // 10ms
  EXPECT_EQ(q_.TryGet(kShort), std::nullopt);
  clock_->Advance(milliseconds(10));
  EXPECT_EQ(q_.TryGet(kShort), "a");
  q_.Done("a");
  q_.AddRateLimited("a");  // 20ms
  clock_->Advance(milliseconds(19));
  EXPECT_EQ(q_.TryGet(kShort), std::nullopt);
  clock_->Advance(milliseconds(1));
  EXPECT_EQ(q_.TryGet(kShort), "a");
  q_.Done("a");
  EXPECT_EQ(q_.NumRequeues("a"), 2);
  q_.Forget("a");
  EXPECT_EQ(q_.NumRequeues("a"), 0);
}

TEST_F(WorkQueueTest, ShutDownReleasesBlockedWorkers) {
  std::optional<std::string> got = "unset";
  std::thread worker([&] { got = q_.Get(); });
  std::this_thread::sleep_for(milliseconds(30));
  q_.ShutDown();
  worker.join();
  EXPECT_EQ(got, std::nullopt);
  q_.Add("late");
  EXPECT_EQ(q_.Len(), 0u);
}

TEST(RateLimiterTest, ItemExponentialDoublesToTheCap) {
  ItemExponentialRateLimiter r(milliseconds(5), milliseconds(40));
  EXPECT_EQ(r.When("x"), milliseconds(5));
  EXPECT_EQ(r.When("x"), milliseconds(10));
  EXPECT_EQ(r.When("x"), milliseconds(20));
  EXPECT_EQ(r.When("x"), milliseconds(40));
  EXPECT_EQ(r.When("x"), milliseconds(40));
  EXPECT_EQ(r.When("y"), milliseconds(5));
  for (int i = 0; i < 200; ++i) EXPECT_EQ(r.When("z") <= milliseconds(40), true);
}

TEST(RateLimiterTest, TokenBucketAllowsBurstThenSpacesByQps) {
  auto clock = std::make_shared<FakeClock>();
  TokenBucketRateLimiter r(10.0, 3, clock);
  EXPECT_EQ(r.When("a"), milliseconds(0));
  EXPECT_EQ(r.When("b"), milliseconds(0));
  EXPECT_EQ(r.When("c"), milliseconds(0));
  EXPECT_EQ(std::chrono::duration_cast<milliseconds>(r.When("d")), milliseconds(100));
  EXPECT_EQ(std::chrono::duration_cast<milliseconds>(r.When("e")), milliseconds(200));
  clock->Advance(seconds(10));  // refills to burst, not beyond
  EXPECT_EQ(r.When("f"), milliseconds(0));
  EXPECT_EQ(r.When("g"), milliseconds(0));
  EXPECT_EQ(r.When("h"), milliseconds(0));
  EXPECT_GT(r.When("i"), milliseconds(0));
}

TEST(RateLimiterTest, MaxOfTakesTheLongestDelay) {
  auto clock = std::make_shared<FakeClock>();
  std::vector<std::unique_ptr<RateLimiter>> v;
  v.push_back(std::make_unique<ItemExponentialRateLimiter>(milliseconds(1), seconds(10)));
  v.push_back(std::make_unique<TokenBucketRateLimiter>(1.0, 1, clock));
  MaxOfRateLimiter r(std::move(v));
  EXPECT_EQ(r.When("a"), milliseconds(1));  // bucket has one token
  EXPECT_EQ(std::chrono::duration_cast<milliseconds>(r.When("a")), milliseconds(1000));
  EXPECT_EQ(r.NumRequeues("a"), 2);
  r.Forget("a");
  EXPECT_EQ(r.NumRequeues("a"), 0);
}

TEST(RateLimiterTest, TheControllerRetryPolicyDoublesFromItsBaseToItsMax) {
  auto clock = std::make_shared<FakeClock>();
  ControllerRateLimiterOptions options;
  options.base_delay = milliseconds(500);
  options.max_delay = seconds(2);
  auto r = DefaultControllerRateLimiter(clock, options);
  EXPECT_EQ(r->When("a"), milliseconds(500));
  EXPECT_EQ(r->When("a"), milliseconds(1000));
  EXPECT_EQ(r->When("a"), milliseconds(2000));
  EXPECT_EQ(r->When("a"), milliseconds(2000));
  EXPECT_EQ(r->When("b"), milliseconds(500));  // per key
  r->Forget("a");
  EXPECT_EQ(r->When("a"), milliseconds(500));
  // client-go's defaults when none are given: 5 ms first.
  EXPECT_EQ(DefaultControllerRateLimiter(clock)->When("a"), milliseconds(5));
}

}  // namespace
}  // namespace kubeheal::kube
