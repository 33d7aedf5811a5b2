#pragma once

#include <functional>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "kubeheal/agent/agent_config.h"
#include "kubeheal/agent/validation_error.h"

namespace kubeheal::agent {

// Parses flags (`--name value` or `--name=value`) over environment variables
// (KUBEHEAL_<NAME in caps, '-' as '_'>) over defaults. `getenv` is injected for tests.
class AgentConfigParser {
 public:
  using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;
  struct Help {
    std::string text;
  };

  static std::variant<AgentConfig, Help, ValidationError> parse(
      const std::vector<std::string>& args, const EnvLookup& env);
  static std::string usage();
};

}  // namespace kubeheal::agent
