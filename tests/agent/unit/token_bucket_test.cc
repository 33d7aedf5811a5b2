#include "kubeheal/agent/token_bucket.h"

#include <gtest/gtest.h>

#include "kubeheal/agent/throttle.h"
#include "kubeheal/common/fake_clock.h"

namespace kubeheal::agent {
namespace {

using namespace std::chrono_literals;

TEST(TokenBucket, StartsFullAndRefillsAtRate) {
  FakeClock time;
  TokenBucket bucket(10, 3, time.SteadyNow());
  EXPECT_TRUE(bucket.tryTake(time.SteadyNow()));
  EXPECT_TRUE(bucket.tryTake(time.SteadyNow()));
  EXPECT_TRUE(bucket.tryTake(time.SteadyNow()));
  EXPECT_FALSE(bucket.tryTake(time.SteadyNow()));
  EXPECT_EQ(bucket.timeUntilToken(time.SteadyNow()), 100ms);
  time.Advance(99ms);
  EXPECT_FALSE(bucket.tryTake(time.SteadyNow()));
  time.Advance(1ms);
  EXPECT_TRUE(bucket.tryTake(time.SteadyNow()));
}

TEST(TokenBucket, NeverHoldsMoreThanBurst) {
  FakeClock time;
  TokenBucket bucket(100, 5, time.SteadyNow());
  time.Advance(1h);
  EXPECT_DOUBLE_EQ(bucket.tokens(time.SteadyNow()), 5);
  int taken = 0;
  while (bucket.tryTake(time.SteadyNow())) ++taken;
  EXPECT_EQ(taken, 5);
}

TEST(TokenBucket, FractionalRateAccumulates) {
  FakeClock time;
  TokenBucket bucket(0.5, 1, time.SteadyNow());
  EXPECT_TRUE(bucket.tryTake(time.SteadyNow()));
  time.Advance(1s);
  EXPECT_FALSE(bucket.tryTake(time.SteadyNow()));
  EXPECT_EQ(bucket.timeUntilToken(time.SteadyNow()), 1s);
  time.Advance(1s);
  EXPECT_TRUE(bucket.tryTake(time.SteadyNow()));
}

// The throttle under test on a clock the test moves.
class ThrottleTest : public ::testing::Test {
 protected:
  FakeClock time_;
  Throttle throttle_{time_};
};

TEST_F(ThrottleTest, OffAdmitsEverything) {
  for (int i = 0; i < 1000; ++i) EXPECT_TRUE(throttle_.admit().allowed);
  EXPECT_FALSE(throttle_.status().enabled);
}

TEST_F(ThrottleTest, RefusesWithRetryAfterWhenEmpty) {
  throttle_.enable(0.25, 2, std::nullopt);
  EXPECT_TRUE(throttle_.admit().allowed);
  EXPECT_TRUE(throttle_.admit().allowed);
  const auto refused = throttle_.admit();
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.retryAfter, 4s);  // one token per 4 s
  EXPECT_EQ(throttle_.status().throttled, 1u);
  time_.Advance(4s);
  EXPECT_TRUE(throttle_.admit().allowed);
}

TEST_F(ThrottleTest, RetryAfterIsAtLeastOneSecond) {
  throttle_.enable(1000, 1, std::nullopt);
  EXPECT_TRUE(throttle_.admit().allowed);
  EXPECT_EQ(throttle_.admit().retryAfter, 1s);
}

TEST_F(ThrottleTest, TurnsItselfOffAtTtl) {
  throttle_.enable(1, 1, 10.0);
  EXPECT_TRUE(throttle_.admit().allowed);
  EXPECT_FALSE(throttle_.admit().allowed);
  time_.Advance(9s);
  EXPECT_TRUE(throttle_.status().enabled);
  time_.Advance(1s);
  EXPECT_FALSE(throttle_.status().enabled);
  for (int i = 0; i < 10; ++i) EXPECT_TRUE(throttle_.admit().allowed);
}

TEST_F(ThrottleTest, TheSameRateAgainRenewsTheTtlAndKeepsTheTokens) {
  throttle_.enable(0.1, 2, 10.0);
  EXPECT_TRUE(throttle_.admit().allowed);
  EXPECT_TRUE(throttle_.admit().allowed);
  EXPECT_FALSE(throttle_.admit().allowed);  // the bucket is empty
  time_.Advance(8s);
  throttle_.enable(0.1, 2, 10.0);  // the operator's renewal
  EXPECT_FALSE(throttle_.admit().allowed) << "a renewal refilled the bucket";
  time_.Advance(9s);  // 17 s after the first enable: still on
  EXPECT_TRUE(throttle_.status().enabled);
  time_.Advance(1s);  // 10 s after the renewal: off
  EXPECT_FALSE(throttle_.status().enabled);
  // Another rate is a new throttle: a full bucket.
  throttle_.enable(0.1, 2, 10.0);
  throttle_.enable(0.2, 3, 10.0);
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(throttle_.admit().allowed);
  EXPECT_FALSE(throttle_.admit().allowed);
}

TEST_F(ThrottleTest, DisableRestoresAtOnce) {
  throttle_.enable(1, 1, std::nullopt);
  throttle_.admit();
  EXPECT_FALSE(throttle_.admit().allowed);
  throttle_.disable();
  EXPECT_TRUE(throttle_.admit().allowed);
}

}  // namespace
}  // namespace kubeheal::agent
