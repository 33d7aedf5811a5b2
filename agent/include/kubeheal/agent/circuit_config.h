#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace kubeheal::agent {

enum class CircuitMode { kClosed, kOpen, kAuto };
enum class CircuitState { kClosed, kOpen, kHalfOpen };

std::string_view circuitModeName(CircuitMode mode);
std::optional<CircuitMode> parseCircuitMode(std::string_view name);
std::string_view circuitStateName(CircuitState state);  // "closed", "open", "halfOpen"

// Breaker settings as in `PUT /v1/circuit` (agent/API.md), defaults included.
struct CircuitConfig {
  CircuitMode mode = CircuitMode::kClosed;
  std::uint32_t consecutive5xx = 5;
  double errorRatio = 0.5;
  std::uint32_t windowSeconds = 10;
  std::uint32_t minRequests = 20;
  double openSeconds = 30;
  std::uint32_t halfOpenProbes = 1;
  std::optional<double> ttlSeconds;

  bool operator==(const CircuitConfig&) const = default;
};

}  // namespace kubeheal::agent
