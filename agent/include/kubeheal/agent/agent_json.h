#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "kubeheal/agent/active_fault.h"
#include "kubeheal/agent/circuit_breaker.h"
#include "kubeheal/agent/throttle.h"
#include "kubeheal/common/clock.h"
#include "kubeheal/common/result.h"

namespace kubeheal::agent {

// JSON shapes of agent/API.md (responses, and the circuit/throttle request bodies).
class AgentJson {
 public:
  struct ThrottleRequest {
    double rps = 0;
    double burst = 0;
    std::optional<double> ttlSeconds;
  };

  static std::string timestamp(std::chrono::system_clock::time_point t);
  static nlohmann::json fault(const ActiveFault& fault, const Clock& time);
  static nlohmann::json circuit(const CircuitBreaker::Status& status, const Clock& time);
  static nlohmann::json throttle(const Throttle::Status& status, const Clock& time);
  static nlohmann::json error(std::string_view code, std::string_view message,
                              std::string_view field = {});

  // Refusals as FaultSpecParser::parse gives them.
  static Result<CircuitConfig> parseCircuit(std::string_view body);
  static Result<ThrottleRequest> parseThrottle(std::string_view body);

 private:
  static nlohmann::json wallTime(std::chrono::steady_clock::time_point t, const Clock& time);
};

}  // namespace kubeheal::agent
