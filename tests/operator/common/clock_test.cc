#include <atomic>
#include <chrono>
#include <thread>

#include <gtest/gtest.h>

#include "kubeheal/common/fake_clock.h"

namespace kubeheal {
namespace {

using namespace std::chrono_literals;

TEST(FakeClockTest, MovesOnlyWhenAdvanced) {
  FakeClock clock;
  const auto t0 = clock.Now();
  const auto s0 = clock.SteadyNow();
  EXPECT_EQ(clock.Now(), t0);
  clock.Advance(90s);
  EXPECT_EQ(clock.Now() - t0, 90s);
  EXPECT_EQ(clock.SteadyNow() - s0, 90s);
}

TEST(FakeClockTest, SleeperWakesWhenAdvancedPastItsTime) {
  FakeClock clock;
  std::atomic<bool> woke{false};
  std::thread sleeper([&] {
    clock.SleepFor(std::chrono::seconds(10));
    woke = true;
  });
  while (clock.waiters() == 0) std::this_thread::yield();
  clock.Advance(std::chrono::seconds(5));
  // Still asleep: the sleeper re-registers after the early wake-up.
  while (clock.waiters() == 0) std::this_thread::yield();
  EXPECT_FALSE(woke);
  clock.Advance(std::chrono::seconds(5));
  sleeper.join();
  EXPECT_TRUE(woke);
}

TEST(FakeClockTest, AdvanceOnSleepMovesTheClockForwardOnly) {
  FakeClock clock;
  clock.SetAdvanceOnSleep(true);
  const auto start = clock.SteadyNow();
  clock.SleepFor(std::chrono::milliseconds(250));
  EXPECT_EQ(clock.SteadyNow() - start, std::chrono::milliseconds(250));
  clock.SleepUntil(start);  // in the past: no change
  EXPECT_EQ(clock.SteadyNow() - start, std::chrono::milliseconds(250));
}

TEST(ClockTest, SystemClockSleepsUntilTheTime) {
  SystemClock clock;
  const auto start = clock.SteadyNow();
  clock.SleepFor(std::chrono::milliseconds(20));
  EXPECT_GE(clock.SteadyNow() - start, std::chrono::milliseconds(20));
}

TEST(ClockTest, FormatsRfc3339InUtc) {
  const Clock::TimePoint t{std::chrono::seconds(1'795'334'400)};  // 2026-11-22T08:00:00Z
  EXPECT_EQ(FormatRfc3339(t), "2026-11-22T08:00:00Z");
}

TEST(ClockTest, SystemClockIsCloseToNow) {
  const auto a = RealClock()->Now();
  const auto b = std::chrono::system_clock::now();
  EXPECT_LT(std::chrono::abs(b - a), 5s);
}

}  // namespace
}  // namespace kubeheal

namespace kubeheal {
namespace {

TEST(ClockTest, ParseRfc3339IsTheInverseOfFormat) {
  const auto t = Clock::TimePoint(std::chrono::seconds(1795334400));
  ASSERT_TRUE(ParseRfc3339(FormatRfc3339(t)).has_value());
  EXPECT_EQ(*ParseRfc3339(FormatRfc3339(t)), t);
  EXPECT_EQ(*ParseRfc3339("2026-11-22T08:00:00.123456Z"), *ParseRfc3339("2026-11-22T08:00:00Z"));
  for (const char* bad : {"", "2026-11-22", "2026-11-22T08:00:00", "2026-11-22T08:00:00+01:00",
                          "2026-13-22T08:00:00Z", "2026-11-22T08:00:00.Z", "2026-11-22T08:00:00Zx",
                          "x2026-11-22T08:00:00Z"}) {
    EXPECT_FALSE(ParseRfc3339(bad).has_value()) << bad;
  }
}

}  // namespace
}  // namespace kubeheal
