#include "kubeheal/api/duration.h"

#include <gtest/gtest.h>

namespace kubeheal::api {
namespace {

using namespace std::chrono_literals;

TEST(DurationTest, ParsesGoStyleDurations) {
  EXPECT_EQ(*ParseDuration("30s"), 30s);
  EXPECT_EQ(*ParseDuration("5m"), 5min);
  EXPECT_EQ(*ParseDuration("1h"), 1h);
  EXPECT_EQ(*ParseDuration("1h30m"), 90min);
  EXPECT_EQ(*ParseDuration("500ms"), 500ms);
  EXPECT_EQ(*ParseDuration("2.5s"), 2500ms);
  EXPECT_EQ(*ParseDuration("0"), 0ms);
}

TEST(DurationTest, RejectsBadTextWithTheTextInTheMessage) {
  for (const char* bad : {"", "30", "5x", "-5s", "s", "1.2.3s", "10 s"}) {
    auto r = ParseDuration(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().code, "InvalidDuration");
    EXPECT_NE(r.error().message.find(std::string("\"") + bad + "\""), std::string::npos)
        << r.error().message;
  }
}

TEST(DurationTest, FormatsShortestText) {
  EXPECT_EQ(FormatDuration(90s), "1m30s");
  EXPECT_EQ(FormatDuration(1500ms), "1.5s");
  EXPECT_EQ(FormatDuration(250ms), "250ms");
  EXPECT_EQ(FormatDuration(2h), "2h");
  EXPECT_EQ(FormatDuration(0ms), "0s");
  for (auto d : {Millis(1), Millis(61'001), Millis(3'600'000 + 1000)}) {
    EXPECT_EQ(*ParseDuration(FormatDuration(d)), d);
  }
}

TEST(DurationTest, ParsesRfc3339) {
  const Clock::TimePoint t{std::chrono::seconds(1'795'334'400)};
  EXPECT_EQ(*ParseRfc3339("2026-11-22T08:00:00Z"), t);
  EXPECT_EQ(*ParseRfc3339("2026-11-22T08:00:00.250Z"), t + 250ms);
  EXPECT_EQ(*ParseRfc3339("2026-11-22T09:00:00+01:00"), t);
  EXPECT_FALSE(ParseRfc3339("yesterday").ok());
  EXPECT_FALSE(ParseRfc3339("2026-11-22T08:00:00").ok());
  EXPECT_EQ(*ParseRfc3339(FormatRfc3339(t)), t);
}

}  // namespace
}  // namespace kubeheal::api
