#include "kubeheal/common/result.h"

#include <string>

#include <gtest/gtest.h>

namespace kubeheal {
namespace {

Result<int> Parse(const std::string& s) {
  if (s.empty()) return Error::Terminal("Empty", "input is empty");
  return std::stoi(s);
}

TEST(ResultTest, CarriesValueOrError) {
  auto ok = Parse("42");
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(*ok, 42);

  auto bad = Parse("");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, "Empty");
  EXPECT_FALSE(bad.error().retryable());
  EXPECT_EQ(bad.error().ToString(), "Empty: input is empty");
}

TEST(ResultTest, StatusDefaultsToOk) {
  Status s;
  EXPECT_TRUE(s.ok());
  Status failed = Error::Retryable("Timeout", "no answer in 5s", 504);
  ASSERT_FALSE(failed.ok());
  EXPECT_TRUE(failed.error().retryable());
  EXPECT_EQ(failed.error().http_status, 504);
}

}  // namespace
}  // namespace kubeheal
