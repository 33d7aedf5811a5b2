#include "kubeheal/agent/circuit_config.h"

namespace kubeheal::agent {

std::string_view circuitModeName(CircuitMode mode) {
  switch (mode) {
    case CircuitMode::kClosed:
      return "closed";
    case CircuitMode::kOpen:
      return "open";
    case CircuitMode::kAuto:
      return "auto";
  }
  return "closed";
}

std::optional<CircuitMode> parseCircuitMode(std::string_view name) {
  if (name == "closed") return CircuitMode::kClosed;
  if (name == "open") return CircuitMode::kOpen;
  if (name == "auto") return CircuitMode::kAuto;
  return std::nullopt;
}

std::string_view circuitStateName(CircuitState state) {
  switch (state) {
    case CircuitState::kClosed:
      return "closed";
    case CircuitState::kOpen:
      return "open";
    case CircuitState::kHalfOpen:
      return "halfOpen";
  }
  return "closed";
}

}  // namespace kubeheal::agent
