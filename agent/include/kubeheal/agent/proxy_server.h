#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "kubeheal/agent/agent_config.h"
#include "kubeheal/agent/agent_metrics.h"
#include "kubeheal/agent/circuit_breaker.h"
#include "kubeheal/agent/fault_registry.h"
#include "kubeheal/agent/throttle.h"
#include "kubeheal/common/clock.h"
#include "kubeheal/common/random.h"

namespace kubeheal::agent {

class ProxyWorker;
struct ProxyContext;

// The data path: `config.threads` workers, each with its own event loop, listening socket
// (SO_REUSEPORT, the kernel spreads connections) and upstream pool. Methods are called from the
// main thread.
class ProxyServer {
 public:
  ProxyServer(const AgentConfig& config, FaultRegistry& faults, CircuitBreaker& circuit,
              Throttle& throttle, AgentMetrics& metrics, const Clock& time, RandomSource& random);
  ~ProxyServer();

  // Resolves the upstream and binds the listening sockets; an error message on failure.
  std::optional<std::string> bind();
  std::uint16_t port() const { return port_; }
  void start();
  // Stops accepting, closes idle keep-alive connections; in-flight requests finish.
  void beginDrain();
  std::int64_t openConnections() const;
  void stop();

 private:
  const AgentConfig& config_;
  std::atomic<bool> draining_{false};
  std::unique_ptr<ProxyContext> context_;
  std::vector<std::unique_ptr<ProxyWorker>> workers_;
  std::uint16_t port_ = 0;
};

}  // namespace kubeheal::agent
