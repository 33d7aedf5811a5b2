#include "kubeheal/policy/decision_engine.h"

#include <algorithm>

#include "policy_evaluation.h"

namespace kubeheal::policy {
namespace {

constexpr int kMaxRevertAttempts = 3;

}  // namespace

DecisionEngine::DecisionEngine(std::shared_ptr<const Clock> clock,
                               std::shared_ptr<GlobalBudget> budget, EngineOptions options)
    : clock_(std::move(clock)),
      budget_(budget ? std::move(budget) : std::make_shared<GlobalBudget>(0)),
      options_(std::move(options)) {}

std::string NamespaceRefusal(const std::string& ns,
                             const std::vector<std::string>& protected_namespaces,
                             const std::vector<std::string>& action_namespaces) {
  if (std::find(protected_namespaces.begin(), protected_namespaces.end(), ns) !=
      protected_namespaces.end()) {
    return "is protected";
  }
  if (!action_namespaces.empty() && std::find(action_namespaces.begin(), action_namespaces.end(),
                                              ns) == action_namespaces.end()) {
    return "is not in --action-namespaces";
  }
  return "";
}

std::string DecisionEngine::ProtectedWhy(const std::string& namespace_name) const {
  return NamespaceRefusal(namespace_name, options_.protected_namespaces,
                          options_.action_namespaces);
}

void DecisionEngine::RememberRestored(const PolicyState& state) const {
  for (const auto& at : state.recent_actions) budget_->Remember(at);
}

void DecisionEngine::Undo(const PolicyState& before, PolicyState& state) const {
  std::vector<Clock::TimePoint> kept = before.recent_actions;
  for (const auto& at : state.recent_actions) {
    if (auto it = std::find(kept.begin(), kept.end(), at); it != kept.end()) {
      kept.erase(it);  // there before: not this evaluation's
    } else {
      budget_->Release(at);
    }
  }
  state = before;
}

bool DecisionEngine::IsProtected(const std::string& namespace_name) const {
  return !ProtectedWhy(namespace_name).empty();
}

Result<Evaluation> DecisionEngine::Evaluate(const PolicySpec& spec, const Observation& observation,
                                            PolicyState& state) const {
  if (Status valid = ValidatePolicySpec(spec); !valid.ok()) return valid.error();
  return RunPolicyEvaluation(spec, observation, state, clock_->Now(),
                             ProtectedWhy(spec.namespace_name), *budget_, options_);
}

Status DecisionEngine::ReportOutcome(PolicyState& state, const std::string& decision_id,
                                     Outcome outcome, const std::string& message) const {
  auto it = std::find_if(state.history.rbegin(), state.history.rend(),
                         [&](const HistoryEntry& e) { return e.decision.id == decision_id; });
  if (it == state.history.rend()) {
    return Error::Terminal("NotFound",
                           "decision " + decision_id + " is not in the policy's history");
  }
  it->outcome = outcome;
  it->message = message;
  if (outcome != Outcome::kFailed) return Status::Ok();
  const Decision& d = it->decision;
  if (d.revert) {
    if (d.attempt < kMaxRevertAttempts) {
      ActionParameters p = d.parameters;
      if (d.action == ActionType::kScale) p.from_replicas = d.parameters.to_replicas;
      TemporaryAction retry;
      retry.decision_id = d.id;
      retry.rule = d.rule;
      retry.pattern = d.pattern;
      retry.action = d.action;
      retry.parameters = p;
      retry.dry_run = d.dry_run;
      retry.applied_at = d.decided_at;
      retry.attempt = d.attempt + 1;
      state.pending_reverts.push_back(std::move(retry));
    }
    return Status::Ok();
  }
  // A failed action did not happen: nothing to undo, and the rule judges (and escalates) at
  // the next evaluation instead of waiting for verifyAfter.
  const auto now = clock_->Now();
  for (auto& e : state.episodes) {
    std::erase_if(e.temporaries,
                  [&](const TemporaryAction& t) { return t.decision_id == decision_id; });
    if (e.last_decision_id == decision_id) e.verify_at = now;
  }
  return Status::Ok();
}

}  // namespace kubeheal::policy
