#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "kubeheal/api/duration.h"
#include "kubeheal/api/object_meta.h"
#include "kubeheal/common/result.h"

namespace kubeheal::api {

inline constexpr const char* kGroup = "kubeheal.io";
inline constexpr const char* kVersion = "v1alpha1";

// The workload a policy heals.
struct TargetRef {
  std::string api_version = "apps/v1";
  std::string kind = "Deployment";  // Deployment or StatefulSet
  std::string name;
};

// One PromQL signal and the detector that watches it.
struct SignalSpec {
  std::string name;
  std::string query;     // with {{namespace}}, {{workload}}, {{pod}} placeholders
  std::string detector;  // threshold, zscore, ewma, movingAverage, mad, isolationForest, ...
  nlohmann::json params = nlohmann::json::object();  // detector parameters, passed through
  Millis hold_for{0};   // `for`: how long an anomaly must hold before it counts
  std::string pattern;  // which anomaly this signal indicates: crash, notReady, latency,
                        // errors, traffic, memory, custom (derived from the name when absent)
};

struct SloSpec {
  double objective = 99.9;  // percent
  std::string period = "30d";
  std::string good_query;  // may use {{window}}
  std::string total_query;
};

// Which anomaly pattern maps to which ladder of actions (least disruptive first).
struct RuleSpec {
  std::string name;
  std::string pattern;               // when.pattern: crash, notReady, latency, errors, traffic,
                                     // memory, custom
  std::vector<std::string> signals;  // when.signals (custom: these signals)
  std::string match = "any";         // when.match: any | all of `signals`
  std::vector<std::string> unless;   // when.unless: patterns that veto this rule
  std::string min_severity = "warning";
  std::vector<std::string> actions;  // ladder: throttle, circuitBreak, scale, restart, alert
};

// The default playbook (the CRD's default for spec.rules).
std::vector<RuleSpec> DefaultRules();

struct ThrottleAction {
  int64_t rps = 50;
  int64_t burst = 100;
  Millis max_duration{std::chrono::minutes(15)};
  Millis verify_after{std::chrono::minutes(2)};
};
struct CircuitBreakAction {
  Millis duration{std::chrono::seconds(30)};
  int64_t half_open_probes = 3;
  Millis verify_after{std::chrono::minutes(2)};
};
struct ScaleAction {
  int64_t step = 1;
  int64_t min_replicas = 1;
  int64_t max_replicas = 10;
  Millis scale_back_after{std::chrono::minutes(10)};
  Millis verify_after{std::chrono::minutes(3)};
};
struct RestartAction {
  std::string mode = "rolling";  // rolling | pod
  Millis verify_after{std::chrono::minutes(5)};
};
struct AlertAction {
  std::string webhook_url;  // optional, Alertmanager JSON shape
  std::string severity = "warning";
  std::map<std::string, std::string> labels;
  Millis verify_after{0};
};

struct ActionsSpec {
  ThrottleAction throttle;
  CircuitBreakAction circuit_break;
  ScaleAction scale;
  RestartAction restart;
  AlertAction alert;
  // verifyAfter of the named action (throttle, circuitBreak, scale, restart, alert).
  Millis VerifyAfter(const std::string& action) const;
};

struct HealingPolicySpec {
  TargetRef target_ref;
  Millis interval{std::chrono::seconds(30)};
  std::vector<SignalSpec> signals;
  std::optional<SloSpec> slo;
  std::vector<RuleSpec> rules;
  ActionsSpec actions;
  Millis cooldown{std::chrono::minutes(5)};
  int64_t max_actions_per_hour = 6;
  bool dry_run = false;
  bool suspend = false;
  // HealingPolicies of the same namespace whose workloads this one's calls (spec.dependsOn):
  // while one of them is anomalous on its own account, this policy's latency and errors are
  // its, and the callers' traffic surges explain that policy's traffic (see
  // kubeheal/policy/explanation.h).
  std::vector<std::string> depends_on;
};

// ---- status (shape fixed by crds/healingpolicies.kubeheal.io.yaml) ----

struct SignalStatus {
  std::string name;
  std::optional<double> value;
  std::optional<double> low;   // expected.low
  std::optional<double> high;  // expected.high
  double score = 0;
  std::string severity = "normal";  // normal, info, warning, critical
  double confidence = 0;
  bool anomalous = false;
  std::string anomalous_since;  // RFC 3339, empty when not anomalous
  std::string explanation;
  std::string error;  // why no value (query failed, empty result)
};

// The evidence behind a decision: what was seen, where.
struct Evidence {
  std::string signal;
  std::string query;
  std::optional<double> value;
  std::optional<double> low;
  std::optional<double> high;
  double score = 0;
  std::string severity;
};

struct ActionRecord {
  std::string time;    // RFC 3339
  std::string action;  // throttle, circuitBreak, scale, restart, alert, revert
  std::string rule;
  std::string result;  // Pending, Succeeded, Failed, DryRun, Verified, Escalated, Reverted, Skipped
  std::string message;
  bool dry_run = false;
  std::string scenario;  // FaultScenario ns/name running when it was taken, if any
  std::vector<Evidence> evidence;
};

// A temporary action in effect, to revert after recovery (kept in status so a restarted
// operator still reverts it).
struct ActiveAction {
  std::string action;  // throttle, circuitBreak, scale
  std::string since;
  std::string expires;
  int64_t previous_replicas = -1;  // scale: what to go back to
};

// Where the policy is on a rule's ladder of actions.
struct LadderState {
  std::string rule;
  int64_t step = 0;
  std::string verify_at;
};

// A rule holding back because a related policy's anomaly explains this one's.
struct WaitingOn {
  std::string policy;    // HealingPolicy name, same namespace
  std::string relation;  // dependency, caller
  std::string rule;      // the rule of this policy that waits
  std::string reason;    // what the related policy sees
};

struct HealingPolicyStatus {
  int64_t observed_generation = 0;
  std::string phase;  // Pending, Healthy, Anomalous, Remediating, Recovered, Exhausted, Suspended
  std::vector<Condition> conditions;
  std::string last_evaluation_time;
  std::vector<SignalStatus> signals;
  std::optional<ActionRecord> last_action;
  std::vector<ActiveAction> active_actions;
  std::optional<LadderState> ladder;
  int64_t actions_last_hour = 0;
  std::vector<ActionRecord> history;  // newest last, bounded
  std::string active_scenario;        // FaultScenario (ns/name) tagged on the current anomaly
  std::vector<WaitingOn> waiting_on;  // empty unless condition WaitingOnDependency is True
  // The decision engine's memory (controllers::ReadStoredEngineState): opaque here, kept as
  // is through a read and a write of the status; null when absent.
  nlohmann::json engine_state;

  static constexpr size_t kMaxHistory = 20;
  void AddHistory(ActionRecord r);
};

struct HealingPolicy {
  ObjectMeta metadata;
  HealingPolicySpec spec;
  HealingPolicyStatus status;
};

// Parses a HealingPolicy as the API server returns it. Spec problems are reported together in
// one Terminal "Invalid" error whose message names each field path
// ("spec.signals[0].query: required"). Status is read leniently (it is ours).
Result<HealingPolicy> HealingPolicyFromJson(const nlohmann::json& object);

nlohmann::json ToJson(const HealingPolicyStatus& status);
HealingPolicyStatus HealingPolicyStatusFromJson(const nlohmann::json& status);

// "latency" for p99_latency etc.: the pattern a signal name suggests when none is given.
std::string PatternFromSignalName(const std::string& name);

}  // namespace kubeheal::api
