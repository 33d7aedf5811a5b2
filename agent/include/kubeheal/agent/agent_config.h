#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "kubeheal/agent/circuit_config.h"

namespace kubeheal::agent {

// Everything the agent is started with (flags, or env KUBEHEAL_<FLAG>), see agent/README.md.
struct AgentConfig {
  std::string listenHost = "0.0.0.0";
  std::uint16_t listenPort = 8080;
  std::string upstreamHost = "127.0.0.1";
  std::uint16_t upstreamPort = 8081;
  std::string adminHost = "0.0.0.0";
  std::uint16_t adminPort = 9901;
  std::string tokenFile;
  unsigned threads = 1;
  CircuitMode circuitMode = CircuitMode::kClosed;
  std::size_t maxHeaderBytes = std::size_t{16} * 1024;
  std::chrono::milliseconds headerTimeout{10'000};
  std::chrono::milliseconds idleTimeout{60'000};
  std::chrono::milliseconds bodyTimeout{30'000};
  std::chrono::milliseconds upstreamConnectTimeout{2'000};
  std::chrono::milliseconds upstreamTimeout{30'000};
  std::chrono::milliseconds drainTimeout{20'000};
  std::size_t upstreamMaxIdle = 256;  // per worker thread
  bool quiet = false;
};

}  // namespace kubeheal::agent
