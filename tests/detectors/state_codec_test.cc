#include "kubeheal/detectors/state_codec.h"

#include <cmath>
#include <limits>

#include <gtest/gtest.h>

namespace kubeheal::detectors {
namespace {

TEST(StateCodecTest, NumbersRoundTripBitExact) {
  StateWriter out;
  const std::vector<double> values{0.1, -1e-300, 1e300, 123456789.123456789,
                                   std::numeric_limits<double>::denorm_min()};
  out.Word("header");
  out.Numbers(values);
  out.Integer(-42);
  StateReader in(out.text());
  std::vector<double> back;
  std::int64_t integer = 0;
  ASSERT_TRUE(in.Expect("header").ok());
  ASSERT_TRUE(in.Numbers("values", back, 10).ok());
  ASSERT_TRUE(in.Integer("integer", integer).ok());
  EXPECT_EQ(back, values);
  EXPECT_EQ(integer, -42);
  EXPECT_TRUE(in.AtEnd());
}

TEST(StateCodecTest, ErrorsNameTheField) {
  StateReader in("abc 5 1 2");
  double d = 0;
  Status s = in.Number("mean", d);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find("'mean'"), std::string::npos);
  std::vector<double> v;
  Status too_many = in.Numbers("window", v, 3);
  ASSERT_FALSE(too_many.ok());
  EXPECT_NE(too_many.error().message.find("at most 3"), std::string::npos);
}

TEST(StateCodecTest, ReadingPastTheEndFails) {
  StateReader in("");
  double d = 0;
  EXPECT_FALSE(in.Number("x", d).ok());
  EXPECT_FALSE(in.Expect("word").ok());
}

}  // namespace
}  // namespace kubeheal::detectors
