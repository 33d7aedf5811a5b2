#pragma once

#include <functional>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "kubeheal/agent/agent_config.h"
#include "kubeheal/common/result.h"

namespace kubeheal::agent {

// Parses flags (`--name value` or `--name=value`) over environment variables
// (KUBEHEAL_<NAME in caps, '-' as '_'>) over defaults. `getenv` is injected for tests.
// --help is not an error but no configuration either: the Help text to print. A bad flag or value
// is an Error::InvalidField() error naming the flag ("--threads").
class AgentConfigParser {
 public:
  using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;
  struct Help {
    std::string text;
  };
  using Parsed = std::variant<AgentConfig, Help>;

  static Result<Parsed> parse(const std::vector<std::string>& args, const EnvLookup& env);
  static std::string usage();
};

}  // namespace kubeheal::agent
