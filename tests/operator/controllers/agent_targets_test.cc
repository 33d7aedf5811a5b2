// Agent tokens are per namespace: a namespace's Secret serves only that namespace's pods, the
// --agent-token-file token only the release namespace, and anything else is NoAgentToken.
#include "kubeheal/controllers/agent_targets.h"

#include <gtest/gtest.h>

#include "kubeheal/controllers/testing/fake_kube_operations.h"
#include "mocks.h"

namespace kubeheal::controllers {
namespace {

constexpr const char* kRelease = "kubeheal";
constexpr const char* kReleaseToken = "release-token-0123456789";

Json PodIn(const std::string& ns, const std::string& name, const std::string& ip) {
  Json pod = RunningPod(name, ip);
  pod["metadata"]["namespace"] = ns;
  return pod;
}

class AgentTargetsTest : public ::testing::Test {
 protected:
  // Only team-a and team-b have the Secret; any other namespace's read is a 404.
  void SetUp() override {
    PutToken("team-a", "token-a\n");
    PutToken("team-b", "token-b");
  }
  void PutToken(const std::string& ns, const std::string& value) {
    kube_->PutSecret(ns, "kubeheal-agent-token", "token", value);
  }

  AgentSettings Settings() const {
    AgentSettings s;
    s.fallback_token = kReleaseToken;
    s.release_namespace = kRelease;
    return s;
  }

  std::shared_ptr<FakeKubeOperations> kube_ = std::make_shared<FakeKubeOperations>();
  AgentTargets targets_{kube_, Settings()};
};

TEST_F(AgentTargetsTest, EachNamespaceGetsTheTokenOfItsOwnSecret) {
  EXPECT_EQ(*targets_.Token("team-a"), "token-a");
  EXPECT_EQ(*targets_.Token("team-b"), "token-b");
  auto a = targets_.Resolve("team-a", {PodIn("team-a", "web-0", "10.0.0.1")});
  auto b = targets_.Resolve("team-b", {PodIn("team-b", "web-0", "10.0.1.1")});
  ASSERT_TRUE(a.ok() && b.ok());
  ASSERT_EQ(a->size(), 1u);
  ASSERT_EQ(b->size(), 1u);
  EXPECT_EQ((*a)[0].endpoint.token, "token-a");
  EXPECT_EQ((*b)[0].endpoint.token, "token-b");
}

TEST_F(AgentTargetsTest, AnotherNamespaceWithoutSecretGetsNoAgentTokenNotTheFallback) {
  auto token = targets_.Token("team-c");
  ASSERT_FALSE(token.ok()) << "got " << *token;
  EXPECT_EQ(token.error().code, kNoAgentToken);
  EXPECT_FALSE(token.error().retryable());
  // It says what to create, and where.
  EXPECT_NE(token.error().message.find("namespace team-c"), std::string::npos)
      << token.error().message;
  EXPECT_NE(
      token.error().message.find("create Secret team-c/kubeheal-agent-token with key \"token\""),
      std::string::npos)
      << token.error().message;
  EXPECT_EQ(token.error().message.find(kReleaseToken), std::string::npos);

  auto resolved = targets_.Resolve("team-c", {PodIn("team-c", "web-0", "10.0.2.1")});
  ASSERT_FALSE(resolved.ok());
  EXPECT_EQ(resolved.error().code, kNoAgentToken);
}

TEST_F(AgentTargetsTest, AForbiddenSecretIsNoAgentTokenToo) {
  kube_->Fail("GetSecretValue", Error::Terminal("Forbidden", "forbidden", 403));
  auto token = targets_.Token("team-d");
  ASSERT_FALSE(token.ok());
  EXPECT_EQ(token.error().code, kNoAgentToken);
  EXPECT_NE(token.error().message.find("may not read Secret team-d/kubeheal-agent-token"),
            std::string::npos)
      << token.error().message;
}

TEST_F(AgentTargetsTest, TheReleaseNamespaceFallsBackToTheTokenFile) {
  EXPECT_EQ(*targets_.Token(kRelease), kReleaseToken);
  auto resolved = targets_.Resolve(kRelease, {PodIn(kRelease, "orders-0", "10.0.9.1")});
  ASSERT_TRUE(resolved.ok());
  ASSERT_EQ(resolved->size(), 1u);
  EXPECT_EQ((*resolved)[0].endpoint.token, kReleaseToken);
}

TEST_F(AgentTargetsTest, TheReleaseNamespacesSecretWinsOverTheTokenFile) {
  PutToken(kRelease, "rotated");
  EXPECT_EQ(*targets_.Token(kRelease), "rotated");
}

TEST_F(AgentTargetsTest, WithoutAReleaseNamespaceTheFallbackIsNeverUsed) {
  AgentSettings s;
  s.fallback_token = kReleaseToken;  // release_namespace left empty
  AgentTargets targets(kube_, s);
  for (const std::string ns : {"", "team-c", kRelease}) {
    auto token = targets.Token(ns);
    ASSERT_FALSE(token.ok()) << "namespace \"" << ns << "\" got " << *token;
    EXPECT_EQ(token.error().code, kNoAgentToken);
  }
}

TEST_F(AgentTargetsTest, AnEmptySecretIsNoAgentToken) {
  PutToken("team-e", " \n");
  auto token = targets_.Token("team-e");
  ASSERT_FALSE(token.ok());
  EXPECT_EQ(token.error().code, kNoAgentToken);
  EXPECT_NE(token.error().message.find("is empty"), std::string::npos) << token.error().message;
}

TEST_F(AgentTargetsTest, OtherSecretReadErrorsStayRetryable) {
  kube_->Fail("GetSecretValue", Error::Retryable("ServerError", "boom", 500));
  auto token = targets_.Token("team-f");
  ASSERT_FALSE(token.ok());
  EXPECT_TRUE(token.error().retryable());
  EXPECT_EQ(token.error().code, "ServerError");
}

TEST_F(AgentTargetsTest, PodsOfAnotherNamespaceNeverGetTheToken) {
  Json no_namespace = RunningPod("no-namespace", "10.0.3.1");
  no_namespace["metadata"].erase("namespace");
  const std::vector<Json> pods = {PodIn("team-b", "web-0", "10.0.1.1"),
                                  PodIn("team-a", "web-0", "10.0.0.1"),
                                  PodIn(kRelease, "orders-0", "10.0.9.1"), no_namespace};
  auto resolved = targets_.Resolve("team-b", pods);
  ASSERT_TRUE(resolved.ok());
  ASSERT_EQ(resolved->size(), 1u);
  EXPECT_EQ((*resolved)[0].ip, "10.0.1.1");
  EXPECT_EQ((*resolved)[0].endpoint.token, "token-b");
  EXPECT_FALSE(targets_.TargetFor("team-b", pods[1], "token-b").has_value());
  EXPECT_FALSE(targets_.TargetFor(kRelease, pods[0], kReleaseToken).has_value());
  auto own = targets_.TargetFor("team-b", pods[0], "token-b");
  ASSERT_TRUE(own.has_value());
  EXPECT_EQ(own->endpoint.port, 9901);
}

}  // namespace
}  // namespace kubeheal::controllers
