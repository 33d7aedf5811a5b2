#pragma once

#include <cstdint>
#include <string>

#include "kubeheal/agent/fault_type.h"
#include "kubeheal/agent/match_rule.h"

namespace kubeheal::agent {

// Parameters of all fault types; only those of `FaultSpec::type` are meaningful.
struct FaultParams {
  // latency
  std::int64_t delayMs = 0;
  std::int64_t jitterMs = 0;
  // httpError
  int status = 0;
  std::string body;
  // cpuBurn
  int threads = 1;
  int dutyPercent = 100;
  // memoryLeak
  double mbPerSecond = 0;
  std::int64_t capMb = 0;
  // crash
  int exitCode = 1;
  std::int64_t crashDelayMs = 100;
};

// One fault as the operator asked for it (see agent/API.md), defaults filled in.
struct FaultSpec {
  std::string id;  // empty: the registry assigns one
  FaultType type = FaultType::kLatency;
  double percent = 100;
  MatchRule match;
  FaultParams params;
  double ttlSeconds = 0;
};

}  // namespace kubeheal::agent
