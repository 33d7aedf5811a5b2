#pragma once

#include <map>
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

// The HealingPolicy as the decision engine sees it (queries rendered for the evidence);
// patterns, match, unless, minSeverity, maxDuration and scaleBackAfter carry over by name.
policy::PolicySpec ToPolicySpec(const api::HealingPolicy& policy, const QueryContext& context);

// Detector parameters of a CRD signal (camelCase JSON) as kubeheal::detectors takes them
// (snake_case strings). `direction` is not a detector parameter: the controller applies it.
std::map<std::string, std::string> ToDetectorParams(const nlohmann::json& params);

}  // namespace kubeheal::controllers
