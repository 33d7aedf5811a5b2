#include "kubeheal/agent/token_bucket.h"

#include <gtest/gtest.h>

#include "kubeheal/agent/testing/simulated_time_source.h"
#include "kubeheal/agent/throttle.h"

namespace kubeheal::agent {
namespace {

using namespace std::chrono_literals;
using testing::SimulatedTimeSource;

TEST(TokenBucket, StartsFullAndRefillsAtRate) {
  SimulatedTimeSource time;
  TokenBucket bucket(10, 3, time.steadyNow());
  EXPECT_TRUE(bucket.tryTake(time.steadyNow()));
  EXPECT_TRUE(bucket.tryTake(time.steadyNow()));
  EXPECT_TRUE(bucket.tryTake(time.steadyNow()));
  EXPECT_FALSE(bucket.tryTake(time.steadyNow()));
  EXPECT_EQ(bucket.timeUntilToken(time.steadyNow()), 100ms);
  time.advance(99ms);
  EXPECT_FALSE(bucket.tryTake(time.steadyNow()));
  time.advance(1ms);
  EXPECT_TRUE(bucket.tryTake(time.steadyNow()));
}

TEST(TokenBucket, NeverHoldsMoreThanBurst) {
  SimulatedTimeSource time;
  TokenBucket bucket(100, 5, time.steadyNow());
  time.advance(1h);
  EXPECT_DOUBLE_EQ(bucket.tokens(time.steadyNow()), 5);
  int taken = 0;
  while (bucket.tryTake(time.steadyNow())) ++taken;
  EXPECT_EQ(taken, 5);
}

TEST(TokenBucket, FractionalRateAccumulates) {
  SimulatedTimeSource time;
  TokenBucket bucket(0.5, 1, time.steadyNow());
  EXPECT_TRUE(bucket.tryTake(time.steadyNow()));
  time.advance(1s);
  EXPECT_FALSE(bucket.tryTake(time.steadyNow()));
  EXPECT_EQ(bucket.timeUntilToken(time.steadyNow()), 1s);
  time.advance(1s);
  EXPECT_TRUE(bucket.tryTake(time.steadyNow()));
}

TEST(Throttle, OffAdmitsEverything) {
  SimulatedTimeSource time;
  Throttle throttle(time);
  for (int i = 0; i < 1000; ++i) EXPECT_TRUE(throttle.admit().allowed);
  EXPECT_FALSE(throttle.status().enabled);
}

TEST(Throttle, RefusesWithRetryAfterWhenEmpty) {
  SimulatedTimeSource time;
  Throttle throttle(time);
  throttle.enable(0.25, 2, std::nullopt);
  EXPECT_TRUE(throttle.admit().allowed);
  EXPECT_TRUE(throttle.admit().allowed);
  const auto refused = throttle.admit();
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.retryAfter, 4s);  // one token per 4 s
  EXPECT_EQ(throttle.status().throttled, 1u);
  time.advance(4s);
  EXPECT_TRUE(throttle.admit().allowed);
}

TEST(Throttle, RetryAfterIsAtLeastOneSecond) {
  SimulatedTimeSource time;
  Throttle throttle(time);
  throttle.enable(1000, 1, std::nullopt);
  EXPECT_TRUE(throttle.admit().allowed);
  EXPECT_EQ(throttle.admit().retryAfter, 1s);
}

TEST(Throttle, TurnsItselfOffAtTtl) {
  SimulatedTimeSource time;
  Throttle throttle(time);
  throttle.enable(1, 1, 10.0);
  EXPECT_TRUE(throttle.admit().allowed);
  EXPECT_FALSE(throttle.admit().allowed);
  time.advance(9s);
  EXPECT_TRUE(throttle.status().enabled);
  time.advance(1s);
  EXPECT_FALSE(throttle.status().enabled);
  for (int i = 0; i < 10; ++i) EXPECT_TRUE(throttle.admit().allowed);
}

TEST(Throttle, TheSameRateAgainRenewsTheTtlAndKeepsTheTokens) {
  SimulatedTimeSource time;
  Throttle throttle(time);
  throttle.enable(0.1, 2, 10.0);
  EXPECT_TRUE(throttle.admit().allowed);
  EXPECT_TRUE(throttle.admit().allowed);
  EXPECT_FALSE(throttle.admit().allowed);  // the bucket is empty
  time.advance(8s);
  throttle.enable(0.1, 2, 10.0);  // the operator's renewal
  EXPECT_FALSE(throttle.admit().allowed) << "a renewal refilled the bucket";
  time.advance(9s);  // 17 s after the first enable: still on
  EXPECT_TRUE(throttle.status().enabled);
  time.advance(1s);  // 10 s after the renewal: off
  EXPECT_FALSE(throttle.status().enabled);
  // Another rate is a new throttle: a full bucket.
  throttle.enable(0.1, 2, 10.0);
  throttle.enable(0.2, 3, 10.0);
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(throttle.admit().allowed);
  EXPECT_FALSE(throttle.admit().allowed);
}

TEST(Throttle, DisableRestoresAtOnce) {
  SimulatedTimeSource time;
  Throttle throttle(time);
  throttle.enable(1, 1, std::nullopt);
  throttle.admit();
  EXPECT_FALSE(throttle.admit().allowed);
  throttle.disable();
  EXPECT_TRUE(throttle.admit().allowed);
}

}  // namespace
}  // namespace kubeheal::agent
