#include "kubeheal/kube/backoff.h"

#include <gtest/gtest.h>

#include "kubeheal/common/scripted_random_source.h"

namespace kubeheal::kube {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

Backoff::Params P() {
  Backoff::Params p;
  p.initial = milliseconds(100);
  p.max = seconds(2);
  p.factor = 2.0;
  p.jitter = 0.5;
  p.reset_after = seconds(30);
  return p;
}

TEST(BackoffTest, GrowsExponentiallyAndCapsAtMax) {
  Backoff b(P(), FixedRandom(0.0));
  const auto t = std::chrono::steady_clock::time_point{};
  EXPECT_EQ(b.Next(t), milliseconds(100));
  EXPECT_EQ(b.Next(t), milliseconds(200));
  EXPECT_EQ(b.Next(t), milliseconds(400));
  EXPECT_EQ(b.Next(t), milliseconds(800));
  EXPECT_EQ(b.Next(t), milliseconds(1600));
  EXPECT_EQ(b.Next(t), seconds(2));
  for (int i = 0; i < 100; ++i) EXPECT_EQ(b.Next(t), seconds(2));
}

TEST(BackoffTest, JitterAddsUpToTheConfiguredFractionButNeverPastMax) {
  Backoff b(P(), FixedRandom(0.999999));
  const auto t = std::chrono::steady_clock::time_point{};
  const auto first = b.Next(t);
  EXPECT_GT(first, milliseconds(149));
  EXPECT_LE(first, milliseconds(150));
  for (int i = 0; i < 10; ++i) EXPECT_LE(b.Next(t), seconds(2));
}

TEST(BackoffTest, ResetsAfterAHealthyPeriodOrOnRequest) {
  Backoff b(P(), FixedRandom(0.0));
  auto t = std::chrono::steady_clock::time_point{};
  b.Next(t);
  b.Next(t);
  EXPECT_EQ(b.Next(t), milliseconds(400));
  t += seconds(31);
  EXPECT_EQ(b.Next(t), milliseconds(100));
  b.Next(t);
  b.Reset();
  EXPECT_EQ(b.Next(t), milliseconds(100));
}

TEST(BackoffTest, DefaultRandomSourceStaysInRange) {
  Backoff b(P());
  const auto t = std::chrono::steady_clock::time_point{};
  const auto d = b.Next(t);
  EXPECT_GE(d, milliseconds(100));
  EXPECT_LE(d, milliseconds(150));
}

}  // namespace
}  // namespace kubeheal::kube
