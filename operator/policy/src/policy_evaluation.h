#pragma once

#include "kubeheal/policy/decision_engine.h"

namespace kubeheal::policy {

// One evaluation of one policy at `now` (DecisionEngine::Evaluate after validation): updates
// `state` and returns the decisions. See README.md for the model.
Evaluation RunPolicyEvaluation(const PolicySpec& spec, const Observation& observation,
                               PolicyState& state, Clock::TimePoint now,
                               const std::string& protected_why, GlobalBudget& budget,
                               const EngineOptions& options);

}  // namespace kubeheal::policy
