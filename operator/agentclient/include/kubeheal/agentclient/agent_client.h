#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "kubeheal/common/result.h"

namespace kubeheal::agentclient {

// Where one pod's agent admin API is, and the bearer token it wants.
struct AgentEndpoint {
  std::string host;  // pod IP
  int port = 9901;
  std::string token;

  std::string ToString() const { return host + ":" + std::to_string(port); }
};

// POST /v1/faults body (agent/API.md "Faults"). Pushing the same id again replaces the fault
// and refreshes its expiry, which is how the operator renews faults.
struct AgentFault {
  std::string id;
  std::string type;
  std::optional<double> percent;  // data-path faults only
  nlohmann::json match;           // null when absent
  nlohmann::json params;          // null when absent
  double ttl_seconds = 60;

  nlohmann::json ToJson() const;
};

struct CircuitCommand {
  std::string mode = "open";  // open, closed, auto
  std::optional<double> ttl_seconds;
  std::optional<int> half_open_probes;  // auto only
  std::optional<double> open_seconds;   // auto only

  nlohmann::json ToJson() const;
};

struct ThrottleCommand {
  double rps = 50;
  std::optional<int64_t> burst;
  std::optional<double> ttl_seconds;

  nlohmann::json ToJson() const;
};

// The agent admin API. Errors: unreachable agent, timeout or 5xx -> Retryable
// ("AgentUnreachable", "AgentError"); 401 -> Terminal "Unauthorized"; 400 -> Terminal
// "InvalidRequest" naming the agent's offending field. Implementations are thread-safe.
class AgentClient {
 public:
  virtual ~AgentClient() = default;

  // Adds or replaces a fault; returns the agent's Fault object.
  virtual Result<nlohmann::json> PushFault(const AgentEndpoint& agent, const AgentFault& fault) = 0;
  // Clears one fault; an unknown or already expired id is success.
  virtual Status ClearFault(const AgentEndpoint& agent, const std::string& id) = 0;
  virtual Status SetCircuit(const AgentEndpoint& agent, const CircuitCommand& command) = 0;
  virtual Status SetThrottle(const AgentEndpoint& agent, const ThrottleCommand& command) = 0;
  virtual Status ClearThrottle(const AgentEndpoint& agent) = 0;
  // GET /v1/state: faults, circuit, throttle in effect.
  virtual Result<nlohmann::json> GetState(const AgentEndpoint& agent) = 0;
};

}  // namespace kubeheal::agentclient
