#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "kubeheal/common/clock.h"
#include "kubeheal/policy/decision.h"

namespace kubeheal::policy {

// Since when a signal has been anomalous (for `for`); absent while it is normal. The pod facts
// are tracked as "@crashing" and "@notReady".
struct SignalHold {
  std::string signal;
  Clock::TimePoint anomalous_since;
};

// A temporary action in force (throttle, open circuit, scale-out) that recovery undoes.
struct TemporaryAction {
  std::string decision_id;
  std::string rule;
  Pattern pattern = Pattern::kCustom;
  ActionType action = ActionType::kThrottle;
  ActionParameters parameters;
  bool dry_run = false;
  Clock::TimePoint applied_at;
  std::optional<Clock::TimePoint> revert_not_before;  // scale: recovery + scaleBackAfter
  int attempt = 1;                                    // of the revert, when queued for one
};

// One rule's remediation, from the moment its pattern held until recovery.
struct Episode {
  std::string rule;
  Pattern pattern = Pattern::kCrash;
  Clock::TimePoint started_at;
  int rung = -1;  // last ladder rung acted on; -1 while no action was taken yet
  std::string last_decision_id;
  std::optional<Clock::TimePoint> verify_at;  // when the last action is judged
  // Since when the rule's signals have been back to normal after an action; recovery is
  // recognised (recovered_at) once that has lasted the signals' `for`, even before verify_at.
  // The episode closes at verify_at; a relapse before then clears recovered_at.
  std::optional<Clock::TimePoint> normal_since;
  std::optional<Clock::TimePoint> recovered_at;
  bool exhausted = false;  // every rung tried, still anomalous
  std::vector<TemporaryAction> temporaries;
};

struct CooldownMark {
  ActionType action = ActionType::kThrottle;
  Clock::TimePoint last_at;
};

struct HistoryEntry {
  Decision decision;
  Outcome outcome = Outcome::kPending;
  std::string message;
};

// Everything the engine remembers about one policy between evaluations. Serialisable
// (state_json.h) so the controller keeps it in the CR status and survives restarts. Bounded:
// history to EngineOptions::history_limit entries, recent actions to one hour.
struct PolicyState {
  Phase phase = Phase::kHealthy;
  Clock::TimePoint phase_since;
  std::vector<SignalHold> holds;
  std::vector<Episode> episodes;
  std::vector<TemporaryAction> pending_reverts;
  std::vector<Clock::TimePoint> recent_actions;  // executed (not dry-run) actions, last hour
  std::vector<CooldownMark> cooldowns;
  std::optional<Clock::TimePoint> last_detected_at;   // last episode start
  std::optional<Clock::TimePoint> last_recovered_at;  // last episode recovery
  std::vector<HistoryEntry> history;                  // oldest first
  uint64_t next_sequence = 1;
};

}  // namespace kubeheal::policy
