#include "kubeheal/common/logger.h"

#include <gtest/gtest.h>

namespace kubeheal {
namespace {

TEST(LoggerTest, ParsesLevelsAndFormats) {
  LogLevel level{};
  EXPECT_TRUE(Logger::ParseLevel("warn", &level));
  EXPECT_EQ(level, LogLevel::kWarn);
  EXPECT_FALSE(Logger::ParseLevel("verbose", &level));
  LogFormat format{};
  EXPECT_TRUE(Logger::ParseFormat("json", &format));
  EXPECT_EQ(format, LogFormat::kJson);
  EXPECT_FALSE(Logger::ParseFormat("xml", &format));
}

TEST(LoggerTest, WritesOneJsonLinePerCall) {
  Logger::Get().Configure(LogLevel::kInfo, LogFormat::kJson);
  testing::internal::CaptureStderr();
  Log().Info("reconciled", {{"policy", "default/orders"}, {"took_ms", 12}});
  Log().Debug("hidden");
  const std::string out = testing::internal::GetCapturedStderr();
  Logger::Get().Configure(LogLevel::kInfo, LogFormat::kText);
  ASSERT_EQ(std::count(out.begin(), out.end(), '\n'), 1) << out;
  const auto j = nlohmann::json::parse(out);
  EXPECT_EQ(j["msg"], "reconciled");
  EXPECT_EQ(j["level"], "info");
  EXPECT_EQ(j["policy"], "default/orders");
  EXPECT_EQ(j["took_ms"], 12);
}

}  // namespace
}  // namespace kubeheal
