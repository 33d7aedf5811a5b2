// kubeheal-operator's flags: defaults, both spellings, environment, and errors naming the flag.
#include "operator_flags.h"

#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace kubeheal::cmd {
namespace {

Result<OperatorFlags> Parse(const std::vector<std::string>& args,
                            const std::map<std::string, std::string>& env = {}) {
  return ParseOperatorFlags(args, [&](const std::string& name) {
    const auto it = env.find(name);
    return it == env.end() ? std::string() : it->second;
  });
}

TEST(OperatorFlagsTest, DefaultsMatchTheChart) {
  const auto f = Parse({});
  ASSERT_TRUE(f.ok()) << f.error().ToString();
  EXPECT_EQ(f->agent_token_secret, "kubeheal-agent-token");
  EXPECT_EQ(f->agent_admin_port, 9901);
  EXPECT_EQ(f->status_refresh, "30s");
  EXPECT_FALSE(f->leader_elect);
  EXPECT_EQ(f->protected_namespaces, std::vector<std::string>{"kube-system"});
  EXPECT_EQ(f->prometheus_timeout, "15s");
  EXPECT_EQ(f->prometheus_max_response_bytes, 16 << 20);
  EXPECT_EQ(f->prometheus_max_concurrent_queries, 4);
  EXPECT_EQ(f->max_series_per_signal, 1000);
  EXPECT_EQ(f->retry_base_delay, "500ms");
  EXPECT_EQ(f->retry_max_delay, "60s");
}

TEST(OperatorFlagsTest, PrometheusLimitsFromFlagsAndTheEnvironment) {
  const auto f = Parse(
      {"--prometheus-max-response-bytes=1048576", "--max-series-per-signal", "50"},
      {{"KUBEHEAL_PROMETHEUS_MAX_CONCURRENT_QUERIES", "2"}, {"KUBEHEAL_PROMETHEUS_TIMEOUT", "5s"}});
  ASSERT_TRUE(f.ok()) << f.error().ToString();
  EXPECT_EQ(f->prometheus_max_response_bytes, 1 << 20);
  EXPECT_EQ(f->max_series_per_signal, 50);
  EXPECT_EQ(f->prometheus_max_concurrent_queries, 2);
  EXPECT_EQ(f->prometheus_timeout, "5s");
}

TEST(OperatorFlagsTest, ValuesBySpaceOrEqualsAndFromTheEnvironment) {
  const auto f =
      Parse({"--agent-token-secret", "shop-agent-token", "--namespaces=a,b", "--leader-elect"},
            {{"KUBEHEAL_WORKERS", "2"}, {"KUBEHEAL_AGENT_TOKEN_SECRET", "ignored"}});
  ASSERT_TRUE(f.ok()) << f.error().ToString();
  EXPECT_EQ(f->agent_token_secret, "shop-agent-token");  // the command line wins
  EXPECT_EQ(f->namespaces, (std::vector<std::string>{"a", "b"}));
  EXPECT_TRUE(f->leader_elect);
  EXPECT_EQ(f->workers, 2);
  const auto from_env = Parse({}, {{"KUBEHEAL_AGENT_TOKEN_SECRET", "team.agent-token"}});
  ASSERT_TRUE(from_env.ok()) << from_env.error().ToString();
  EXPECT_EQ(from_env->agent_token_secret, "team.agent-token");
}

TEST(OperatorFlagsTest, AlertWebhookTargetsAreLists) {
  const auto f = Parse({"--alert-webhook-allow=alertmanager.monitoring.svc, *.alerts.example.com",
                        "--alert-webhook-deny-cidrs", "10.246.0.0/16,10.247.0.0/16"});
  ASSERT_TRUE(f.ok()) << f.error().ToString();
  EXPECT_EQ(f->alert_webhook_allow,
            (std::vector<std::string>{"alertmanager.monitoring.svc", "*.alerts.example.com"}));
  EXPECT_EQ(f->alert_webhook_deny_cidrs,
            (std::vector<std::string>{"10.246.0.0/16", "10.247.0.0/16"}));
  const auto defaults = Parse({});
  ASSERT_TRUE(defaults.ok());
  EXPECT_TRUE(defaults->alert_webhook_allow.empty());
  EXPECT_TRUE(defaults->alert_webhook_deny_cidrs.empty());
}

TEST(OperatorFlagsTest, ActionNamespacesDefaultToNone) {
  const auto f = Parse({"--action-namespaces=shop,billing"});
  ASSERT_TRUE(f.ok()) << f.error().ToString();
  EXPECT_EQ(f->action_namespaces, (std::vector<std::string>{"shop", "billing"}));
  EXPECT_TRUE(Parse({})->action_namespaces.empty());
}

TEST(OperatorFlagsTest, TheTokenFileNeedsTheReleaseNamespace) {
  const auto missing = Parse({"--agent-token-file", "/tmp/token"});
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("--release-namespace"), std::string::npos)
      << missing.error().message;
  const auto from_pod =
      Parse({"--agent-token-file", "/tmp/token"}, {{"POD_NAMESPACE", "kubeheal"}});
  ASSERT_TRUE(from_pod.ok()) << from_pod.error().ToString();
  EXPECT_EQ(from_pod->release_namespace, "kubeheal");
  const auto flag = Parse({"--agent-token-file=/tmp/token", "--release-namespace=ops"},
                          {{"POD_NAMESPACE", "kubeheal"}});
  ASSERT_TRUE(flag.ok()) << flag.error().ToString();
  EXPECT_EQ(flag->release_namespace, "ops");  // the flag wins over the pod's namespace
  const auto env =
      Parse({}, {{"KUBEHEAL_RELEASE_NAMESPACE", "ops"}, {"POD_NAMESPACE", "kubeheal"}});
  ASSERT_TRUE(env.ok()) << env.error().ToString();
  EXPECT_EQ(env->release_namespace, "ops");
}

TEST(OperatorFlagsTest, BadValuesAreErrorsNamingTheFlag) {
  struct Case {
    std::vector<std::string> args;
    std::string expected;
  };
  for (const Case& c :
       {Case{{"--agent-token-secret", "Agent_Token"}, "--agent-token-secret"},
        Case{{"--agent-token-secret="}, "--agent-token-secret"},
        Case{{"--agent-token-secret", "-token"}, "not a valid Secret name"},
        Case{{"--agent-admin-port", "70000"}, "--agent-admin-port"},
        Case{{"--workers", "0"}, "--workers"},
        Case{{"--prometheus-max-response-bytes", "10"}, "--prometheus-max-response-bytes"},
        Case{{"--prometheus-max-concurrent-queries", "0"}, "--prometheus-max-concurrent-queries"},
        Case{{"--max-series-per-signal", "0"}, "--max-series-per-signal"},
        Case{{"--no-such-flag"}, "unknown flag --no-such-flag"},
        Case{{"--prometheus-url"}, "needs a value"}}) {
    const auto f = Parse(c.args);
    ASSERT_FALSE(f.ok()) << c.args[0];
    EXPECT_NE(f.error().message.find(c.expected), std::string::npos) << f.error().message;
  }
}

}  // namespace
}  // namespace kubeheal::cmd
