#include "kubeheal/kube/controller.h"

#include <atomic>
#include <map>
#include <mutex>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "kubeheal/common/fake_clock.h"
#include "kubeheal/kube/item_exponential_rate_limiter.h"
#include "kubeheal/kube/kube_metrics.h"

namespace kubeheal::kube {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using ::testing::Return;

class MockRateLimiter : public RateLimiter {
 public:
  MOCK_METHOD(std::chrono::nanoseconds, When, (const std::string&), (override));
  MOCK_METHOD(void, Forget, (const std::string&), (override));
  MOCK_METHOD(int, NumRequeues, (const std::string&), (override));
};

class ControllerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto limiter = std::make_unique<::testing::NiceMock<MockRateLimiter>>();
    limiter_ = limiter.get();
    queue_ = std::make_shared<WorkQueue>("c", clock_, std::move(limiter));
  }
  std::shared_ptr<FakeClock> clock_ = std::make_shared<FakeClock>();
  MockRateLimiter* limiter_ = nullptr;
  std::shared_ptr<WorkQueue> queue_;
};

TEST_F(ControllerTest, DoneForgetsTheKey) {
  EXPECT_CALL(*limiter_, Forget("a"));
  EXPECT_CALL(*limiter_, When).Times(0);
  Controller c(
      "c", queue_, [](const std::string&) { return ReconcileResult::Done(); }, 1, clock_);
  queue_->Add("a");
  ASSERT_TRUE(c.ProcessNext(milliseconds(100)));
  EXPECT_FALSE(c.ProcessNext(milliseconds(30)));
}

TEST_F(ControllerTest, RequeueAfterForgetsAndDelays) {
  EXPECT_CALL(*limiter_, Forget("a")).Times(2);
  int calls = 0;
  Controller c(
      "c", queue_,
      [&](const std::string&) {
        return ++calls == 1 ? ReconcileResult::RequeueAfter(seconds(30)) : ReconcileResult::Done();
      },
      1, clock_);
  queue_->Add("a");
  ASSERT_TRUE(c.ProcessNext(milliseconds(100)));
  EXPECT_FALSE(c.ProcessNext(milliseconds(30)));
  clock_->Advance(seconds(30));
  ASSERT_TRUE(c.ProcessNext(milliseconds(100)));
  EXPECT_EQ(calls, 2);
}

TEST_F(ControllerTest, RetryableErrorIsRateLimited) {
  EXPECT_CALL(*limiter_, When("a")).WillOnce(Return(milliseconds(500)));
  EXPECT_CALL(*limiter_, Forget("a")).Times(1);  // only after the eventual success
  int calls = 0;
  Controller c(
      "c", queue_,
      [&](const std::string&) {
        return ++calls == 1 ? ReconcileResult::FromError(Error::Retryable("Conflict", "x", 409))
                            : ReconcileResult::Done();
      },
      1, clock_);
  queue_->Add("a");
  ASSERT_TRUE(c.ProcessNext(milliseconds(100)));
  EXPECT_FALSE(c.ProcessNext(milliseconds(30)));
  clock_->Advance(milliseconds(500));
  ASSERT_TRUE(c.ProcessNext(milliseconds(100)));
}

TEST_F(ControllerTest, TerminalErrorIsDroppedAndAnExceptionIsRetried) {
  EXPECT_CALL(*limiter_, Forget("bad"));
  EXPECT_CALL(*limiter_, When("bad")).Times(0);
  EXPECT_CALL(*limiter_, When("throws")).WillOnce(Return(seconds(100)));
  Controller c(
      "c", queue_,
      [&](const std::string& key) -> ReconcileResult {
        if (key == "throws") throw std::runtime_error("boom");
        return ReconcileResult::FromError(Error::Terminal("Invalid", "spec.x is wrong", 422));
      },
      1, clock_);
  queue_->Add("bad");
  queue_->Add("throws");
  ASSERT_TRUE(c.ProcessNext(milliseconds(100)));
  ASSERT_TRUE(c.ProcessNext(milliseconds(100)));
  EXPECT_EQ(queue_->DelayedLen(), 1u);
}

TEST(ControllerWorkersTest, WorkersReconcileEveryKeyNeverConcurrentlyPerKey) {
  auto clock = std::make_shared<FakeClock>();
  auto metrics = std::make_shared<KubeMetrics>(std::make_shared<prometheus::Registry>());
  auto queue = std::make_shared<WorkQueue>(
      "w", clock, std::make_unique<ItemExponentialRateLimiter>(milliseconds(1), milliseconds(1)),
      metrics);
  std::mutex mu;
  std::map<std::string, int> active, done;
  std::atomic<bool> overlap{false};
  Controller c(
      "w", queue,
      [&](const std::string& key) {
        {
          std::lock_guard lock(mu);
          if (++active[key] > 1) overlap = true;
        }
        std::this_thread::sleep_for(std::chrono::microseconds(200));
        std::lock_guard lock(mu);
        --active[key];
        ++done[key];
        return ReconcileResult::Done();
      },
      4, clock, metrics);
  c.Start();
  for (int round = 0; round < 20; ++round) {
    for (int k = 0; k < 10; ++k) queue->Add("k" + std::to_string(k));
  }
  for (int i = 0; i < 200 && (queue->Len() > 0); ++i) std::this_thread::sleep_for(milliseconds(10));
  std::this_thread::sleep_for(milliseconds(50));
  c.Stop();
  EXPECT_FALSE(overlap);
  EXPECT_EQ(done.size(), 10u);
  for (const auto& [k, n] : done) EXPECT_GE(n, 1) << k;
}

}  // namespace
}  // namespace kubeheal::kube
