#pragma once

#include <atomic>
#include <string>
#include <utility>
#include <vector>

#include "kubeheal/agent/circuit_breaker.h"
#include "kubeheal/agent/fault_registry.h"
#include "kubeheal/agent/metrics_exporter.h"
#include "kubeheal/agent/throttle.h"
#include "kubeheal/agent/token_verifier.h"
#include "kubeheal/common/clock.h"

namespace kubeheal::agent {

struct AdminRequest {
  std::string method;
  std::string target;
  std::string authorization;
  std::string body;
};

struct AdminResponse {
  int status = 200;
  std::string contentType = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

// Facts about the agent shown by GET /v1/state and used by /readyz.
struct AgentInfo {
  std::string version;
  std::string upstream;
  std::atomic<bool> ready{false};
  std::atomic<bool> draining{false};
};

// The admin API of agent/API.md as a pure function of a request: no sockets, so every endpoint
// is unit-tested directly. Called on the admin thread.
class AdminApi {
 public:
  static constexpr std::size_t kMaxBodyBytes = std::size_t{64} * 1024;

  AdminApi(FaultRegistry& faults, CircuitBreaker& circuit, Throttle& throttle,
           MetricsExporter& exporter, TokenVerifier& tokens, const Clock& time,
           const AgentInfo& info);

  AdminResponse handle(const AdminRequest& request);

 private:
  AdminResponse route(const AdminRequest& request, const std::string& path);
  AdminResponse state();
  AdminResponse listFaults();
  AdminResponse postFault(const std::string& body);
  AdminResponse deleteFault(const std::string& id);
  AdminResponse circuitStatus();
  AdminResponse putCircuit(const std::string& body);
  AdminResponse throttleStatus();
  AdminResponse putThrottle(const std::string& body);

  FaultRegistry& faults_;
  CircuitBreaker& circuit_;
  Throttle& throttle_;
  MetricsExporter& exporter_;
  TokenVerifier& tokens_;
  const Clock& time_;
  const AgentInfo& info_;
  std::chrono::system_clock::time_point startedAt_;
};

}  // namespace kubeheal::agent
