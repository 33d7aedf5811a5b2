#pragma once

#include <string>

#include "kubeheal/agent/agent_metrics.h"
#include "kubeheal/agent/circuit_breaker.h"
#include "kubeheal/agent/fault_registry.h"
#include "kubeheal/agent/process_stats.h"
#include "kubeheal/agent/throttle.h"

namespace kubeheal::agent {

// Renders every metric of agent/API.md in the Prometheus text format (prometheus-cpp's
// serializer). Called on the admin thread for each scrape.
class MetricsExporter {
 public:
  MetricsExporter(const AgentMetrics& metrics, FaultRegistry& faults, CircuitBreaker& circuit,
                  Throttle& throttle, const ProcessStatsReader& process);
  std::string render();

 private:
  const AgentMetrics& metrics_;
  FaultRegistry& faults_;
  CircuitBreaker& circuit_;
  Throttle& throttle_;
  const ProcessStatsReader& process_;
};

}  // namespace kubeheal::agent
