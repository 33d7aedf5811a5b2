#pragma once

#include <string_view>
#include <variant>

#include "kubeheal/agent/fault_spec.h"
#include "kubeheal/agent/validation_error.h"

namespace kubeheal::agent {

// Turns the JSON body of `POST /v1/faults` into a FaultSpec, strictly (agent/API.md).
class FaultSpecParser {
 public:
  static constexpr std::size_t kMaxBodyChars = 4096;
  static std::variant<FaultSpec, ValidationError> parse(std::string_view json);
};

}  // namespace kubeheal::agent
