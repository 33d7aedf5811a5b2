// constantTimeEquals: equal-length tokens are compared in full (a difference in any one byte,
// the last included, is found), lengths must match, and neither side's content short-cuts it.
#include <string>

#include <gtest/gtest.h>

#include "kubeheal/agent/token_verifier.h"

namespace kubeheal::agent {
namespace {

TEST(ConstantTimeEqualsTest, EqualTokensAreEqual) {
  EXPECT_TRUE(constantTimeEquals("", ""));
  EXPECT_TRUE(constantTimeEquals("s3kr1t-token", "s3kr1t-token"));
  const std::string long_token(4096, 'x');
  EXPECT_TRUE(constantTimeEquals(long_token, std::string(4096, 'x')));
}

TEST(ConstantTimeEqualsTest, EveryByteOfEqualLengthTokensIsCompared) {
  const std::string token = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_";
  for (std::size_t i = 0; i < token.size(); ++i) {
    std::string presented = token;
    presented[i] = static_cast<char>(presented[i] ^ 0x01);  // one bit, one byte
    EXPECT_FALSE(constantTimeEquals(presented, token)) << "difference at byte " << i << " missed";
    EXPECT_FALSE(constantTimeEquals(token, presented)) << "difference at byte " << i << " missed";
  }
}

TEST(ConstantTimeEqualsTest, LengthsMustMatch) {
  EXPECT_FALSE(constantTimeEquals("token", "token2"));
  EXPECT_FALSE(constantTimeEquals("token2", "token"));
  EXPECT_FALSE(constantTimeEquals("", "token"));
  EXPECT_FALSE(constantTimeEquals("token", ""));
  // A presented token that repeats the real one is no match either.
  EXPECT_FALSE(constantTimeEquals("abcabc", "abc"));
}

TEST(ConstantTimeEqualsTest, BytesAboveAsciiAndNulAreCompared) {
  const std::string a("tok\0en\xff", 7);
  std::string b = a;
  EXPECT_TRUE(constantTimeEquals(a, b));
  b[3] = '\x01';
  EXPECT_FALSE(constantTimeEquals(a, b));
  b = a;
  b[6] = '\xfe';
  EXPECT_FALSE(constantTimeEquals(a, b));
}

}  // namespace
}  // namespace kubeheal::agent
