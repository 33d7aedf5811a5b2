#pragma once

#include <string_view>

#include "kubeheal/agent/fault_spec.h"
#include "kubeheal/common/result.h"

namespace kubeheal::agent {

// Turns the JSON body of `POST /v1/faults` into a FaultSpec, strictly (agent/API.md). A refusal
// is an Error::InvalidField() error naming the field, or Error::Invalid for a body that is no JSON
// object.
class FaultSpecParser {
 public:
  static constexpr std::size_t kMaxBodyChars = 4096;
  static Result<FaultSpec> parse(std::string_view json);
};

}  // namespace kubeheal::agent
