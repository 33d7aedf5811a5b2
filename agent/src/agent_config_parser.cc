#include "kubeheal/agent/agent_config_parser.h"

#include <algorithm>
#include <charconv>
#include <map>

#include "kubeheal/common/error.h"

namespace kubeheal::agent {
namespace {

const std::vector<std::string> kFlags = {"listen",
                                         "upstream",
                                         "admin",
                                         "token-file",
                                         "threads",
                                         "circuit-mode",
                                         "max-header-bytes",
                                         "header-timeout-ms",
                                         "idle-timeout-ms",
                                         "body-timeout-ms",
                                         "upstream-connect-timeout-ms",
                                         "upstream-timeout-ms",
                                         "drain-timeout-ms",
                                         "upstream-max-idle",
                                         "quiet"};

std::string envName(const std::string& flag) {
  std::string name = "KUBEHEAL_";
  for (char c : flag) name += c == '-' ? '_' : static_cast<char>(std::toupper(c));
  return name;
}

std::optional<std::int64_t> parseInteger(const std::string& text, std::int64_t min,
                                         std::int64_t max) {
  std::int64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value < min || value > max) {
    return std::nullopt;
  }
  return value;
}

// "HOST:PORT", ":PORT" (all interfaces) or "[v6]:PORT".
bool parseHostPort(const std::string& text, std::string& host, std::uint16_t& port) {
  const auto colon = text.rfind(':');
  if (colon == std::string::npos) return false;
  std::string hostPart = text.substr(0, colon);
  if (hostPart.size() >= 2 && hostPart.front() == '[' && hostPart.back() == ']') {
    hostPart = hostPart.substr(1, hostPart.size() - 2);
  }
  const auto number = parseInteger(text.substr(colon + 1), 0, 65535);
  if (!number) return false;
  host = hostPart.empty() ? "0.0.0.0" : hostPart;
  port = static_cast<std::uint16_t>(*number);
  return true;
}

}  // namespace

std::string AgentConfigParser::usage() {
  return "usage: kubeheal-agent [flags]   (each flag also as env KUBEHEAL_<FLAG>, e.g. "
         "KUBEHEAL_TOKEN_FILE)\n"
         "  --listen HOST:PORT               data path (default 0.0.0.0:8080)\n"
         "  --upstream HOST:PORT             the app (default 127.0.0.1:8081)\n"
         "  --admin HOST:PORT                admin API, /metrics, /healthz (default 0.0.0.0:9901)\n"
         "  --token-file FILE                bearer token of the admin API (required for /v1)\n"
         "  --threads N                      worker threads (default 1)\n"
         "  --circuit-mode closed|open|auto  circuit at start (default closed)\n"
         "  --max-header-bytes N             request header limit, 431 above (default 16384)\n"
         "  --header-timeout-ms N            time to receive request headers, 408 after (10000)\n"
         "  --idle-timeout-ms N              keep-alive idle time of client connections (60000)\n"
         "  --body-timeout-ms N              max pause while streaming a body (30000)\n"
         "  --upstream-connect-timeout-ms N  (default 2000)\n"
         "  --upstream-timeout-ms N          wait for upstream response headers, 504 after "
         "(30000)\n"
         "  --drain-timeout-ms N             SIGTERM: max wait for in-flight requests (20000)\n"
         "  --upstream-max-idle N            pooled idle upstream connections per thread (256)\n"
         "  --quiet                          no informational log lines on stderr\n";
}

Result<AgentConfigParser::Parsed> AgentConfigParser::parse(const std::vector<std::string>& args,
                                                           const EnvLookup& env) {
  std::map<std::string, std::string> values;
  for (const auto& flag : kFlags) {
    if (auto value = env(envName(flag))) values[flag] = *value;
  }
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "-h" || arg == "--help") return Parsed(Help{usage()});
    if (arg.rfind("--", 0) != 0) return Error::InvalidField(arg, "unexpected argument");
    std::string name = arg.substr(2);
    std::optional<std::string> value;
    if (const auto equals = name.find('='); equals != std::string::npos) {
      value = name.substr(equals + 1);
      name = name.substr(0, equals);
    }
    if (std::find(kFlags.begin(), kFlags.end(), name) == kFlags.end()) {
      return Error::InvalidField("--" + name, "unknown flag (see --help)");
    }
    if (name == "quiet") {
      values[name] = value.value_or("true");
      continue;
    }
    if (!value) {
      if (i + 1 >= args.size()) return Error::InvalidField("--" + name, "needs a value");
      value = args[++i];
    }
    values[name] = *value;
  }

  AgentConfig config;
  for (const auto& [name, value] : values) {
    const std::string field = "--" + name;
    // An init-capture, not [&]: clang before 16 (clang-tidy's) cannot capture a structured
    // binding.
    auto integer = [&text = value](std::int64_t min, std::int64_t max) {
      return parseInteger(text, min, max);
    };
    if (name == "listen" || name == "upstream" || name == "admin") {
      std::string host;
      std::uint16_t port = 0;
      if (!parseHostPort(value, host, port)) return Error::InvalidField(field, "must be HOST:PORT");
      if (name == "listen") {
        config.listenHost = host;
        config.listenPort = port;
      } else if (name == "upstream") {
        if (port == 0) return Error::InvalidField(field, "port must not be 0");
        config.upstreamHost = host == "0.0.0.0" ? "127.0.0.1" : host;
        config.upstreamPort = port;
      } else {
        config.adminHost = host;
        config.adminPort = port;
      }
    } else if (name == "token-file") {
      config.tokenFile = value;
    } else if (name == "threads") {
      auto n = integer(1, 256);
      if (!n) return Error::InvalidField(field, "must be an integer from 1 to 256");
      config.threads = static_cast<unsigned>(*n);
    } else if (name == "circuit-mode") {
      auto mode = parseCircuitMode(value);
      if (!mode) return Error::InvalidField(field, "must be closed, open or auto");
      config.circuitMode = *mode;
    } else if (name == "max-header-bytes") {
      auto n = integer(1024, 1 << 20);
      if (!n) return Error::InvalidField(field, "must be an integer from 1024 to 1048576");
      config.maxHeaderBytes = static_cast<std::size_t>(*n);
    } else if (name == "upstream-max-idle") {
      auto n = integer(0, 100000);
      if (!n) return Error::InvalidField(field, "must be an integer from 0 to 100000");
      config.upstreamMaxIdle = static_cast<std::size_t>(*n);
    } else if (name == "quiet") {
      if (value != "true" && value != "false" && value != "1" && value != "0") {
        return Error::InvalidField(field, "must be true or false");
      }
      config.quiet = value == "true" || value == "1";
    } else {
      auto n = integer(1, 3'600'000);
      if (!n) return Error::InvalidField(field, "must be milliseconds from 1 to 3600000");
      const std::chrono::milliseconds ms(*n);
      if (name == "header-timeout-ms") config.headerTimeout = ms;
      if (name == "idle-timeout-ms") config.idleTimeout = ms;
      if (name == "body-timeout-ms") config.bodyTimeout = ms;
      if (name == "upstream-connect-timeout-ms") config.upstreamConnectTimeout = ms;
      if (name == "upstream-timeout-ms") config.upstreamTimeout = ms;
      if (name == "drain-timeout-ms") config.drainTimeout = ms;
    }
  }
  return Parsed(config);
}

}  // namespace kubeheal::agent
