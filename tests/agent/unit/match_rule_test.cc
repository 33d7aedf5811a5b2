#include "kubeheal/agent/match_rule.h"

#include <gtest/gtest.h>

#include "fake_request.h"

namespace kubeheal::agent {
namespace {

using testing::FakeRequest;

TEST(MatchRule, EmptyMatchesEverything) {
  EXPECT_TRUE(MatchRule{}.matches(FakeRequest("DELETE", "/x")));
}

TEST(MatchRule, MethodIsExact) {
  MatchRule rule;
  rule.method = "GET";
  EXPECT_TRUE(rule.matches(FakeRequest("GET", "/")));
  EXPECT_FALSE(rule.matches(FakeRequest("get", "/")));
  EXPECT_FALSE(rule.matches(FakeRequest("POST", "/")));
}

TEST(MatchRule, PathPrefix) {
  MatchRule rule;
  rule.pathPrefix = "/api/";
  EXPECT_TRUE(rule.matches(FakeRequest("GET", "/api/orders")));
  EXPECT_TRUE(rule.matches(FakeRequest("GET", "/api/")));
  EXPECT_FALSE(rule.matches(FakeRequest("GET", "/api")));
  EXPECT_FALSE(rule.matches(FakeRequest("GET", "/v2/api/")));
}

TEST(MatchRule, HeaderPresenceAndValue) {
  MatchRule present;
  present.header = HeaderMatch{"X-Drill", std::nullopt};
  EXPECT_TRUE(present.matches(FakeRequest("GET", "/", {{"x-drill", "anything"}})));
  EXPECT_FALSE(present.matches(FakeRequest("GET", "/")));

  MatchRule exact;
  exact.header = HeaderMatch{"x-drill", "on"};
  EXPECT_TRUE(exact.matches(FakeRequest("GET", "/", {{"X-Drill", "on"}})));
  EXPECT_FALSE(exact.matches(FakeRequest("GET", "/", {{"X-Drill", "off"}})));
}

TEST(MatchRule, AllMembersMustMatch) {
  MatchRule rule;
  rule.method = "POST";
  rule.pathPrefix = "/pay";
  rule.header = HeaderMatch{"x-tenant", "blue"};
  EXPECT_TRUE(rule.matches(FakeRequest("POST", "/pay/1", {{"x-tenant", "blue"}})));
  EXPECT_FALSE(rule.matches(FakeRequest("POST", "/pay/1", {{"x-tenant", "red"}})));
  EXPECT_FALSE(rule.matches(FakeRequest("PUT", "/pay/1", {{"x-tenant", "blue"}})));
}

}  // namespace
}  // namespace kubeheal::agent
