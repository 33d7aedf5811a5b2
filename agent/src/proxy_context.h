#pragma once

#include <atomic>

#include "kubeheal/agent/agent_config.h"
#include "kubeheal/agent/agent_metrics.h"
#include "kubeheal/agent/circuit_breaker.h"
#include "kubeheal/agent/fault_registry.h"
#include "kubeheal/agent/throttle.h"
#include "kubeheal/common/clock.h"
#include "kubeheal/common/random.h"

namespace kubeheal::agent {

// What every worker thread of the data path shares (all members are thread-safe).
struct ProxyContext {
  const AgentConfig& config;
  FaultRegistry& faults;
  CircuitBreaker& circuit;
  Throttle& throttle;
  AgentMetrics& metrics;
  const Clock& time;
  RandomSource& random;
  std::atomic<bool>& draining;
};

}  // namespace kubeheal::agent
