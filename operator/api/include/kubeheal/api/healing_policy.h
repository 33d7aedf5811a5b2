#pragma once

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
  std::string query;       // with {{namespace}}, {{workload}}, {{pod}} placeholders
  std::string detector;    // threshold, zscore, ewma, movingAverage, mad, isolationForest, ...
  nlohmann::json params = nlohmann::json::object();  // detector parameters, passed through
  Millis hold_for{0};      // `for`: how long an anomaly must hold before it counts
  std::string pattern;     // which anomaly this signal indicates: crash, latency, errors,
                           // traffic, memory (derived from the name when not given)
};

struct SloSpec {
  double objective = 0.999;
  std::string good_query;
  std::string total_query;
  Millis window{std::chrono::hours(24 * 30)};
};

// Which anomaly pattern maps to which ladder of actions (least disruptive first).
struct RuleSpec {
  std::string name;
  std::string pattern;               // crash, latency, errors, traffic, memory, any
  std::vector<std::string> signals;  // alternatively: these signals anomalous
  std::vector<std::string> actions;  // ladder: throttle, circuitBreak, scale, restart, alert
};

struct ThrottleAction {
  double rps = 50;
  int64_t burst = 0;  // 0: agent default
  Millis verify_after{std::chrono::seconds(60)};
};
struct CircuitBreakAction {
  Millis duration{std::chrono::seconds(60)};
  int64_t half_open_probes = 1;
  Millis verify_after{std::chrono::seconds(60)};
};
struct ScaleAction {
  int64_t step = 1;
  int64_t min_replicas = 1;
  int64_t max_replicas = 10;
  Millis verify_after{std::chrono::seconds(120)};
};
struct RestartAction {
  std::string mode = "rolling";  // rolling | pod
  Millis verify_after{std::chrono::seconds(180)};
};
struct AlertAction {
  std::string webhook_url;  // optional, Alertmanager JSON shape
  Millis verify_after{std::chrono::seconds(300)};
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
};

// ---- status ----

struct SignalStatus {
  std::string name;
  std::optional<double> value;
  std::optional<double> expected;
  std::optional<double> low;
  std::optional<double> high;
  double score = 0;
  std::string severity = "normal";  // normal, info, warning, critical
  double confidence = 0;
  bool anomalous = false;
  std::string anomalous_since;  // RFC 3339, empty when not anomalous
  std::string explanation;
};

// The evidence behind a decision: what was seen, where.
struct Evidence {
  std::string signal;
  std::string query;
  std::optional<double> value;
  std::optional<double> low;
  std::optional<double> high;
  double score = 0;
};

struct ActionRecord {
  std::string time;    // RFC 3339
  std::string action;  // throttle, circuitBreak, scale, restart, alert, revert:<action>
  std::string result;  // Planned, Succeeded, Failed, DryRun, Skipped
  std::string reason;
  std::string message;
  bool dry_run = false;
  std::string scenario;  // FaultScenario ns/name running when it was taken, if any
  std::vector<Evidence> evidence;
};

// A temporary action in effect, to verify and later revert (kept in status so a restarted
// operator still reverts it).
struct ActiveAction {
  std::string action;
  std::string started_at;
  std::string verify_at;
  int64_t ladder_step = 0;
  int64_t previous_replicas = -1;  // scale: what to go back to
};

struct HealingPolicyStatus {
  int64_t observed_generation = 0;
  std::string phase;  // Healthy, Anomalous, Remediating, Recovered, Exhausted, Suspended
  std::vector<Condition> conditions;
  std::vector<SignalStatus> signals;
  std::optional<ActionRecord> last_action;
  std::vector<ActionRecord> history;  // newest last, bounded
  std::vector<ActiveAction> active_actions;
  std::string last_detection_time;  // when the latest anomaly began to count
  std::string last_recovery_time;   // when the latest anomaly ended
  std::string anomaly_scenario;     // FaultScenario tagged on the current anomaly
  int64_t actions_last_hour = 0;

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
