#pragma once

#include <memory>
#include <string>
#include <vector>

#include "kubeheal/common/clock.h"
#include "kubeheal/common/result.h"
#include "kubeheal/policy/decision.h"
#include "kubeheal/policy/global_budget.h"
#include "kubeheal/policy/observation.h"
#include "kubeheal/policy/policy_spec.h"
#include "kubeheal/policy/policy_state.h"

namespace kubeheal::policy {

struct EngineOptions {
  std::vector<std::string> protected_namespaces = {"kube-system"};
  // Non-empty: the operator acts only in these namespaces (--action-namespaces); elsewhere a
  // policy alerts only, like in a protected namespace, and a FaultScenario is refused.
  std::vector<std::string> action_namespaces;
  size_t history_limit = 20;
  // How long the phase stays Recovered after the last episode recovered, before Healthy.
  Seconds recovered_hold{300};
};

// Why the operator must not act in `ns`: "is protected" (in `protected_namespaces`), "is not in
// --action-namespaces" (an allow-list that does not name it), or "" when it may.
std::string NamespaceRefusal(const std::string& ns,
                             const std::vector<std::string>& protected_namespaces,
                             const std::vector<std::string>& action_namespaces);

// The HealingPolicy decision engine: pure logic on a Clock. Given a policy, this evaluation's
// observation and the policy's state, it updates the state and returns the decisions to take.
// See operator/policy/README.md for the model and the state machine.
//
// Protocol for the caller, per decision and in order: record it (status, Event), execute it
// unless dry_run, then ReportOutcome. The state already holds the decision when Evaluate
// returns, so persisting the state is recording it.
//
// Threads: the engine keeps no per-policy data (only the clock, the options and the shared,
// thread-safe GlobalBudget), so workers may evaluate different policies at once; one
// PolicyState must be used by one thread at a time.
class DecisionEngine {
 public:
  DecisionEngine(std::shared_ptr<const Clock> clock, std::shared_ptr<GlobalBudget> budget,
                 EngineOptions options = {});

  // Fails (terminal "InvalidPolicy", naming the field) when the spec is inconsistent.
  Result<Evaluation> Evaluate(const PolicySpec& spec, const Observation& observation,
                              PolicyState& state) const;

  // Reports what happened to a decision. A failed action moves its rule on to the next rung at
  // the next evaluation; a failed revert is retried (3 attempts). NotFound if the id is unknown.
  Status ReportOutcome(PolicyState& state, const std::string& decision_id, Outcome outcome,
                       const std::string& message) const;

  bool IsProtected(const std::string& namespace_name) const;

  // The actions of the last hour in a state read back from storage count against the
  // operator-wide budget again: a restarted operator, or a new leader, starts with an empty
  // one. Call once for each state restored (not for one kept in memory).
  void RememberRestored(const PolicyState& state) const;

  // Takes back an evaluation whose decisions were never recorded (the status write before the
  // act failed): `state` returns to `before`, and the operator-wide budget gets back the
  // actions it gave them, so the next evaluation decides the same rung again instead of
  // treating an apiserver blip as a failed action and escalating.
  void Undo(const PolicyState& before, PolicyState& state) const;
  // Why nothing but alerts is done in `namespace_name` ("" when actions are allowed).
  std::string ProtectedWhy(const std::string& namespace_name) const;

 private:
  std::shared_ptr<const Clock> clock_;
  std::shared_ptr<GlobalBudget> budget_;
  EngineOptions options_;
};

// Checks a spec before use: unique signal and rule names, known signals in rules, non-empty
// ladders, sane numbers (min <= max replicas, positive steps and rates).
Status ValidatePolicySpec(const PolicySpec& spec);

}  // namespace kubeheal::policy
