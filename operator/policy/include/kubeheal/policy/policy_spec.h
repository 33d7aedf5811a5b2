#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "kubeheal/policy/observation.h"

namespace kubeheal::policy {

using Seconds = std::chrono::seconds;

// What an anomaly indicates (the CRD's `pattern` of signals and rules). crash and notReady are
// also read from the pod facts of each observation.
enum class Pattern { kCrash, kNotReady, kLatency, kErrors, kTraffic, kMemory, kCustom };

// One `signals[]` entry of a HealingPolicy, reduced to what the decision engine needs (the
// detector and its parameters stay with the controller).
struct SignalSpec {
  std::string name;
  std::string query;  // rendered PromQL, kept as evidence
  Pattern pattern = Pattern::kCustom;
  Seconds hold_for{0};  // the CRD's `for`: the anomaly must hold this long before it counts
};

enum class ActionType { kThrottle, kCircuitBreak, kScale, kRestart, kAlert };
enum class Match { kAny, kAll };

// One `rules[]` entry: when its pattern holds, climb its action ladder, least disruptive first.
struct Rule {
  std::string name;  // unique in the policy; keys the rule's episode in the state
  Pattern pattern = Pattern::kCustom;
  // Restrict the rule to these signals (required for kCustom). Empty: every signal with the
  // rule's pattern, plus the pod facts for kCrash / kNotReady.
  std::vector<std::string> signals;
  Match match = Match::kAny;  // with several signals: any or all of them anomalous
  // Patterns that must not be anomalous at the same time (latency unless errors): the other
  // rule is the one to act on the common cause.
  std::vector<Pattern> unless;
  Severity min_severity = Severity::kWarning;  // weaker anomalies are reported, not acted on
  std::vector<ActionType> actions;
};

enum class RestartMode { kRolling, kOnePod };  // "rolling" | "pod"

struct ThrottleSpec {
  double rps = 50;
  int burst = 100;
  Seconds max_duration{0};  // lifted after this long even if not recovered; 0 = until recovery
  Seconds verify_after{60};
};
struct CircuitBreakSpec {
  Seconds duration{30};  // how long the agents keep the circuit open before half-open probes
  int half_open_probes = 3;
  Seconds verify_after{60};
};
struct ScaleSpec {
  int step = 1;
  int min_replicas = 1;
  int max_replicas = 10;
  Seconds scale_back_after{0};  // wait this long after recovery before scaling back
  Seconds verify_after{120};
};
struct RestartSpec {
  RestartMode mode = RestartMode::kRolling;
  Seconds verify_after{180};
};
struct AlertSpec {
  std::string webhook_url;  // empty: Kubernetes Event only
  Seconds verify_after{0};  // usually the last rung: judged at the next evaluation
};

struct ActionsSpec {
  ThrottleSpec throttle;
  CircuitBreakSpec circuit_break;
  ScaleSpec scale;
  RestartSpec restart;
  AlertSpec alert;
};

struct Guardrails {
  // Minimum time between two actions of the same type (reverts excepted): no restart loops.
  Seconds cooldown{300};
  // Actions per sliding hour for this policy; 0 = no per-policy limit.
  int max_actions_per_hour = 6;
  bool dry_run = false;  // decide and record "would do", execute nothing
  bool suspend = false;  // no decisions at all
};

// A HealingPolicy as the engine sees it.
struct PolicySpec {
  std::string namespace_name;
  std::string name;
  std::vector<SignalSpec> signals;
  std::vector<Rule> rules;  // empty: DefaultPlaybook()
  ActionsSpec actions;
  Guardrails guardrails;
  // How long pods must be crashing or not ready before the crash pattern counts.
  Seconds pod_failure_for{0};
};

// The default rules (the CRD's default for spec.rules), used when a policy lists none:
//   crash -> restart, alert            not-ready -> restart, alert
//   errors -> circuitBreak, restart, alert
//   latency unless errors -> throttle, scale, alert
//   traffic -> scale, alert            memory -> restart, alert
std::vector<Rule> DefaultPlaybook();

// The rules the engine applies: the policy's own, or the default playbook.
const std::vector<Rule>& EffectiveRules(const PolicySpec& spec);

// Names as written in the CRD ("throttle", "circuitBreak", "notReady", "rolling", "pod", ...).
const char* ActionTypeName(ActionType type);
const char* PatternName(Pattern pattern);
const char* MatchName(Match match);
const char* RestartModeName(RestartMode mode);
std::optional<ActionType> ParseActionType(std::string_view name);
std::optional<Pattern> ParsePattern(std::string_view name);
std::optional<Match> ParseMatch(std::string_view name);
std::optional<RestartMode> ParseRestartMode(std::string_view name);

}  // namespace kubeheal::policy
