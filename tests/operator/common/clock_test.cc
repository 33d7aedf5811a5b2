#include <chrono>

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
