#include "kubeheal/kube/work_queue.h"

#include <condition_variable>
#include <mutex>
#include <thread>

#include <gtest/gtest.h>

#include "kubeheal/common/fake_clock.h"
#include "kubeheal/kube/item_exponential_rate_limiter.h"
#include "kubeheal/kube/max_of_rate_limiter.h"
#include "kubeheal/kube/token_bucket_rate_limiter.h"

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

// Waits (in real time, bounded) until `n` threads are blocked in clock.WaitUntil.
bool WaitForWaiters(const FakeClock& clock, std::size_t n) {
  const auto give_up = std::chrono::steady_clock::now() + seconds(5);
  while (clock.waiters() < n) {
    if (std::chrono::steady_clock::now() > give_up) return false;
    std::this_thread::sleep_for(milliseconds(1));
  }
  return true;
}

// Runs q.Get() on a thread; Result() waits up to 5 s of real time for it to return.
class BlockedGet {
 public:
  explicit BlockedGet(WorkQueue& q)
      : worker_([this, &q] {
          auto key = q.Get();
          std::lock_guard lock(mu_);
          got_ = std::move(key);
          done_ = true;
          cv_.notify_all();
        }) {}
  ~BlockedGet() { worker_.join(); }
  BlockedGet(const BlockedGet&) = delete;
  BlockedGet& operator=(const BlockedGet&) = delete;

  // nullopt: still blocked after 5 s; otherwise what Get() returned.
  std::optional<std::optional<std::string>> Result() {
    std::unique_lock lock(mu_);
    if (!cv_.wait_for(lock, seconds(5), [this] { return done_; })) return std::nullopt;
    return got_;
  }
  bool ReturnedWithin(milliseconds d) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, d, [this] { return done_; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool done_ = false;
  std::optional<std::string> got_;
  std::thread worker_;
};

TEST_F(WorkQueueTest, ShutDownReleasesBlockedWorkers) {
  // Get() sleeps on the clock with no deadline (nothing is delayed), so only ShutDown's
  // notify can release it: without it this test fails with "still blocked after 5 s".
  std::optional<std::optional<std::string>> got;
  {
    BlockedGet get(q_);
    ASSERT_TRUE(WaitForWaiters(*clock_, 1));
    q_.ShutDown();
    got = get.Result();
    // Failed already: wake the worker through the clock so the destructor's join ends.
    if (!got) clock_->Advance(milliseconds(0));
  }
  ASSERT_TRUE(got.has_value()) << "Get() still blocked after 5 s of ShutDown()";
  EXPECT_EQ(*got, std::nullopt);
  q_.Add("late");
  EXPECT_EQ(q_.Len(), 0u);
}

TEST_F(WorkQueueTest, AdvancingTheClockWakesAWorkerWaitingForADelayedKey) {
  q_.AddAfter("a", seconds(30));
  BlockedGet get(q_);
  ASSERT_TRUE(WaitForWaiters(*clock_, 1));
  EXPECT_FALSE(get.ReturnedWithin(kShort));  // 30 s of fake time have not passed
  clock_->Advance(seconds(29));
  EXPECT_FALSE(get.ReturnedWithin(kShort));
  clock_->Advance(seconds(1));
  auto got = get.Result();
  ASSERT_TRUE(got.has_value()) << "the worker slept through the due time";
  EXPECT_EQ(*got, "a");
}

TEST_F(WorkQueueTest, AnEarlierDelayedAddShortensAWaitInProgress) {
  q_.AddAfter("late", seconds(60));
  BlockedGet get(q_);
  ASSERT_TRUE(WaitForWaiters(*clock_, 1));
  q_.AddAfter("soon", seconds(1));  // the worker re-computes its wake-up time
  clock_->Advance(seconds(1));
  auto got = get.Result();
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(*got, "soon");
}

TEST(FakeClockTest, WaitUntilReturnsAtOnceWhenTheTimeHasCome) {
  FakeClock clock;
  std::mutex mu;
  std::condition_variable cv;
  std::unique_lock lock(mu);
  clock.WaitUntil(lock, cv, clock.SteadyNow(), std::nullopt);  // would hang otherwise
  EXPECT_EQ(clock.waiters(), 0u);
}

TEST(FakeClockTest, WaitUntilHonoursItsRealTimeLimit) {
  FakeClock clock;
  std::mutex mu;
  std::condition_variable cv;
  std::unique_lock lock(mu);
  const auto start = std::chrono::steady_clock::now();
  clock.WaitUntil(lock, cv, clock.SteadyNow() + seconds(3600),
                  std::chrono::steady_clock::now() + milliseconds(20));
  EXPECT_LT(std::chrono::steady_clock::now() - start, seconds(5));
  EXPECT_EQ(clock.waiters(), 0u);
  EXPECT_TRUE(lock.owns_lock());
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
