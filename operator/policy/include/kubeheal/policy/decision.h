#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kubeheal/common/clock.h"
#include "kubeheal/policy/explanation.h"
#include "kubeheal/policy/observation.h"
#include "kubeheal/policy/policy_spec.h"

namespace kubeheal::policy {

enum class Phase { kHealthy, kAnomalous, kRemediating, kRecovered, kExhausted, kSuspended };
const char* PhaseName(Phase phase);
std::optional<Phase> ParsePhase(std::string_view name);

// Why a decision was taken: one signal (or the pod facts, signal "pods") at decision time.
struct Evidence {
  std::string signal;
  std::string query;
  double value = 0;
  double expected_low = 0;
  double expected_high = 0;
  double score = 0;
  Severity severity = Severity::kNormal;
  std::string explanation;
};

// What to do; only the fields of `Decision::action` are meaningful.
struct ActionParameters {
  double rps = 0;  // throttle
  int burst = 0;
  Seconds circuit_duration{0};  // circuitBreak
  int half_open_probes = 0;
  int from_replicas = 0;  // scale (and scale back on revert)
  int to_replicas = 0;
  RestartMode restart_mode = RestartMode::kRolling;  // restart
  std::string webhook_url;                           // alert
};

// One action the caller must record (status, Event) before executing it, then report back
// with DecisionEngine::ReportOutcome. A dry-run decision is recorded and never executed; a
// revert undoes a temporary action (clear throttle, close circuit, scale back).
struct Decision {
  std::string id;  // "<policy>-<sequence>", unique within the policy's state
  ActionType action = ActionType::kAlert;
  ActionParameters parameters;
  std::string rule;
  Pattern pattern = Pattern::kCrash;
  int rung = 0;  // index in the rule's ladder
  std::string reason;
  std::vector<Evidence> evidence;
  bool dry_run = false;
  bool revert = false;
  int attempt = 1;  // reverts are retried; which try this is
  Clock::TimePoint decided_at;
};

enum class Outcome { kPending, kSucceeded, kFailed };
const char* OutcomeName(Outcome outcome);
std::optional<Outcome> ParseOutcome(std::string_view name);

// A rule that would act but waits: its anomaly is a related policy's (explanation.h).
struct Waiting {
  std::string rule;
  Pattern pattern = Pattern::kCustom;
  Explanation because;
};

// The result of one evaluation.
struct Evaluation {
  Phase phase = Phase::kHealthy;
  std::vector<Decision> decisions;
  // Why something that could have been done was not (cooldown, budget, `for` not yet held,
  // protected namespace, suspended, data missing): for a status condition and the logs.
  std::vector<std::string> notes;
  // Rules that held back (no new action, no escalation) because their anomaly is explained.
  std::vector<Waiting> waiting;
};

}  // namespace kubeheal::policy
