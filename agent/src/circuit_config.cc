#include "kubeheal/agent/circuit_config.h"

#include "kubeheal/common/enum_names.h"

namespace kubeheal::agent {
namespace {

constexpr EnumNameTable<CircuitMode, 3> kCircuitModeNames{{
    {CircuitMode::kClosed, "closed"},
    {CircuitMode::kOpen, "open"},
    {CircuitMode::kAuto, "auto"},
}};

constexpr EnumNameTable<CircuitState, 3> kCircuitStateNames{{
    {CircuitState::kClosed, "closed"},
    {CircuitState::kOpen, "open"},
    {CircuitState::kHalfOpen, "halfOpen"},
}};

}  // namespace

std::string_view circuitModeName(CircuitMode mode) {
  return NameOf(kCircuitModeNames, mode, "closed");
}

std::optional<CircuitMode> parseCircuitMode(std::string_view name) {
  return ParseName(kCircuitModeNames, name);
}

std::string_view circuitStateName(CircuitState state) {
  return NameOf(kCircuitStateNames, state, "closed");
}

}  // namespace kubeheal::agent
