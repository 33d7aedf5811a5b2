#pragma once

#include <nlohmann/json.hpp>

#include "kubeheal/common/result.h"
#include "kubeheal/policy/decision.h"
#include "kubeheal/policy/policy_state.h"

namespace kubeheal::policy {

// JSON forms for the CR status and for Events. Times are RFC 3339 UTC with milliseconds when
// they have any ("2026-11-22T08:00:00.250Z"); enums use the CRD's names; keys are camelCase.
nlohmann::json DecisionToJson(const Decision& decision);
nlohmann::json PolicyStateToJson(const PolicyState& state);

// The inverse of PolicyStateToJson. A malformed document is a terminal "InvalidState" error
// naming the field (e.g. "episodes[1].startedAt: not an RFC 3339 time").
Result<PolicyState> PolicyStateFromJson(const nlohmann::json& json);

}  // namespace kubeheal::policy
