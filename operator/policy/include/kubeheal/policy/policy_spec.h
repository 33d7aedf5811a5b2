#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace kubeheal::policy {

using Seconds = std::chrono::seconds;

// What a signal measures; the default playbook uses it to find the signals of a pattern.
enum class SignalKind { kLatency, kErrors, kTraffic, kMemory, kOther };

// One `signals[]` entry of a HealingPolicy, reduced to what the decision engine needs (the
// detector and its parameters stay with the controller).
struct SignalSpec {
  std::string name;
  std::string query;  // rendered PromQL, kept as evidence
  SignalKind kind = SignalKind::kOther;
  Seconds hold_for{0};  // the CRD's `for`: the anomaly must hold this long before it counts
};

// The anomaly patterns of the default playbook (seed 002).
enum class Pattern {
  kCrash,          // crashing or not-ready pods
  kHighLatency,    // latency above its band while the error signals are normal
  kHighErrorRate,  // errors above their band
  kTrafficSpike,   // traffic above its band
  kMemoryGrowth,   // memory anomalous (growth towards exhaustion)
};

enum class ActionType { kThrottle, kCircuitBreak, kScale, kRestart, kAlert };

// One `rules[]` entry: a pattern and the action ladder for it, least disruptive first.
struct Rule {
  std::string name;  // unique in the policy; keys the rule's episode in the state
  Pattern pattern = Pattern::kCrash;
  // The signals that show the pattern. Empty: every signal of the pattern's kind (kLatency for
  // kHighLatency, ...). Ignored for kCrash, which reads the pod facts.
  std::vector<std::string> signals;
  std::vector<ActionType> actions;
};

enum class RestartMode { kRolling, kOnePod };

struct ThrottleSpec {
  double rps = 50;
  int burst = 10;
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
  Seconds verify_after{120};
};
struct RestartSpec {
  RestartMode mode = RestartMode::kRolling;
  Seconds verify_after{180};
};
struct AlertSpec {
  std::string webhook_url;  // empty: Kubernetes Event only
  Seconds verify_after{300};
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

// The rules of seed 002, used when a policy lists none:
//   crash -> restart, alert
//   highLatency -> throttle, scale, restart, alert
//   highErrorRate -> circuitBreak, restart, alert
//   trafficSpike -> scale, throttle, alert
//   memoryGrowth -> restart, alert
std::vector<Rule> DefaultPlaybook();

// The rules the engine applies: the policy's own, or the default playbook.
const std::vector<Rule>& EffectiveRules(const PolicySpec& spec);

// Names as written in the CRD ("throttle", "circuitBreak", "highLatency", "rolling", ...).
const char* ActionTypeName(ActionType type);
const char* PatternName(Pattern pattern);
const char* SignalKindName(SignalKind kind);
const char* RestartModeName(RestartMode mode);
std::optional<ActionType> ParseActionType(std::string_view name);
std::optional<Pattern> ParsePattern(std::string_view name);
std::optional<SignalKind> ParseSignalKind(std::string_view name);
std::optional<RestartMode> ParseRestartMode(std::string_view name);

}  // namespace kubeheal::policy
