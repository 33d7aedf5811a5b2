#pragma once

#include <map>
#include <optional>
#include <string>

#include "kubeheal/api/healing_policy.h"
#include "kubeheal/policy/policy_spec.h"

namespace kubeheal::controllers {

// Values substituted into signal queries.
struct QueryContext {
  std::string namespace_;
  std::string workload;
  std::string pod_regex;  // "orders-7d9f-abc|orders-7d9f-def", or "<workload>-.*" without pods
  std::string window = "5m";
};

// Replaces {{namespace}}, {{workload}}, {{pod}} and {{window}} in a PromQL template.
std::string RenderQuery(const std::string& query_template, const QueryContext& context);

// The name of the signal the operator adds for a policy's `slo` block when no signal of the
// policy has detector burnRate (which would show the SLO itself).
inline constexpr const char* kAddedSloSignal = "slo";

// The signal to add for the SLO: kAddedSloSignal when the policy has an slo block, no burnRate
// signal and no signal already named so; nullopt otherwise.
std::optional<std::string> AddedSloSignal(const api::HealingPolicySpec& spec);

// The HealingPolicy as the decision engine sees it (queries rendered for the evidence);
// patterns, match, unless, minSeverity, maxDuration and scaleBackAfter carry over by name.
// An added SLO signal (AddedSloSignal) comes last, with pattern errors and no `for` (the
// short window of each burn-rate alert already confirms the burn).
policy::PolicySpec ToPolicySpec(const api::HealingPolicy& policy, const QueryContext& context);

// Detector parameters of a CRD signal (camelCase JSON) as kubeheal::detectors takes them
// (snake_case strings). `direction` is not a detector parameter: the controller applies it.
std::map<std::string, std::string> ToDetectorParams(const nlohmann::json& params);

}  // namespace kubeheal::controllers
