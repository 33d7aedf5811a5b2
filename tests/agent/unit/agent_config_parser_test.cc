#include "kubeheal/agent/agent_config_parser.h"

#include <map>

#include <gtest/gtest.h>

#include "kubeheal/common/error.h"

namespace kubeheal::agent {
namespace {

using Env = std::map<std::string, std::string>;

Result<AgentConfigParser::Parsed> parse(std::vector<std::string> args, Env env = {}) {
  return AgentConfigParser::parse(args,
                                  [env](const std::string& name) -> std::optional<std::string> {
                                    auto it = env.find(name);
                                    if (it == env.end()) return std::nullopt;
                                    return it->second;
                                  });
}

TEST(AgentConfigParser, DefaultsFollowTheContract) {
  const auto config = std::get<AgentConfig>(*parse({}));
  EXPECT_EQ(config.listenPort, 8080);
  EXPECT_EQ(config.upstreamHost, "127.0.0.1");
  EXPECT_EQ(config.upstreamPort, 8081);
  EXPECT_EQ(config.adminPort, 9901);
  EXPECT_EQ(config.threads, 1u);
}

TEST(AgentConfigParser, FlagsOverrideEnvironment) {
  const auto config = std::get<AgentConfig>(
      *parse({"--listen", "127.0.0.1:1234", "--threads=4", "--circuit-mode", "auto"},
             {{"KUBEHEAL_LISTEN", "0.0.0.0:1"},
              {"KUBEHEAL_TOKEN_FILE", "/t"},
              {"KUBEHEAL_UPSTREAM_TIMEOUT_MS", "1500"}}));
  EXPECT_EQ(config.listenHost, "127.0.0.1");
  EXPECT_EQ(config.listenPort, 1234);
  EXPECT_EQ(config.threads, 4u);
  EXPECT_EQ(config.tokenFile, "/t");
  EXPECT_EQ(config.circuitMode, CircuitMode::kAuto);
  EXPECT_EQ(config.upstreamTimeout, std::chrono::milliseconds(1500));
}

TEST(AgentConfigParser, ColonPortMeansAllInterfaces) {
  const auto config = std::get<AgentConfig>(*parse({"--admin", ":9999"}));
  EXPECT_EQ(config.adminHost, "0.0.0.0");
  EXPECT_EQ(config.adminPort, 9999);
}

TEST(AgentConfigParser, BadValuesNameTheFlag) {
  EXPECT_EQ(parse({"--threads", "0"}).error().field, "--threads");
  EXPECT_EQ(parse({"--listen", "nohost"}).error().field, "--listen");
  EXPECT_EQ(parse({"--bogus", "1"}).error().field, "--bogus");
  EXPECT_EQ(parse({"--upstream"}).error().field, "--upstream");
  EXPECT_EQ(parse({}, {{"KUBEHEAL_THREADS", "many"}}).error().field, "--threads");
  EXPECT_TRUE(std::holds_alternative<AgentConfigParser::Help>(*parse({"--help"})));
}

}  // namespace
}  // namespace kubeheal::agent
