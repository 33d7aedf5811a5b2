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

// One fault to inject. Agent faults go to the agent admin API (agent/API.md); podKill goes
// through the Kubernetes API; trafficSpike scales a traffic generator Deployment.
struct FaultSpec {
  // latency, httpError, abort, hang, trafficDrop, cpuBurn, memoryLeak, crash, podKill,
  // trafficSpike
  std::string type;
  double percent = 100;              // data-path faults
  int64_t delay_ms = 0;              // latency; crash: delay before exit
  int64_t jitter_ms = 0;             // latency
  int64_t status = 503;              // httpError
  std::string body;                  // httpError (optional)
  int64_t exit_code = 1;             // crash
  double mb_per_second = 0;          // memoryLeak
  int64_t cap_mb = 0;                // memoryLeak
  int64_t threads = 1;               // cpuBurn
  int64_t duty_percent = 100;        // cpuBurn
  int64_t grace_period_seconds = 0;  // podKill
  Millis interval{0};                // podKill: kill again every interval (0: once)
  std::string generator;             // trafficSpike: generatorRef.name
  int64_t replicas = 0;              // trafficSpike
  // Optional request filter for latency, httpError, abort, hang (agent's `match`).
  nlohmann::json match;  // null when absent

  bool IsAgentFault() const { return type != "podKill" && type != "trafficSpike"; }
  bool IsProcessFault() const {
    return type == "cpuBurn" || type == "memoryLeak" || type == "crash";
  }
};

struct ScenarioExpectation {
  std::string policy;  // expect.policyRef.name, in the scenario's namespace
  Millis detect_within{std::chrono::minutes(2)};
  Millis heal_within{std::chrono::minutes(10)};
  std::vector<std::string> actions;  // actions the policy should take (any of them)
};

struct LabelRequirement {
  std::string key;
  std::string op;  // In, NotIn, Exists, DoesNotExist
  std::vector<std::string> values;
};

struct FaultScenarioSpec {
  std::map<std::string, std::string> match_labels;
  std::vector<LabelRequirement> match_expressions;
  std::string mode = "one";  // all, one, fixed, percent
  int64_t value = 0;         // count for fixed, percent for percent
  std::vector<FaultSpec> faults;
  Millis duration{0};
  std::string start_time;  // RFC 3339, optional
  std::optional<ScenarioExpectation> expect;

  // The selector as a Kubernetes labelSelector query string ("app=x,tier in (a,b),!canary").
  std::string LabelSelector() const;
};

struct ScenarioTarget {
  std::string pod;
  std::string ip;
  bool injected = false;
  std::vector<std::string> fault_ids;
  std::string killed_at;
  std::string error;  // last error pushing to this pod's agent
};

// Shape fixed by crds/faultscenarios.kubeheal.io.yaml.
struct FaultScenarioStatus {
  int64_t observed_generation = 0;
  std::string phase;  // Pending, Injecting, Completed, Failed
  std::vector<Condition> conditions;
  std::vector<ScenarioTarget> targets;
  std::string start_time;
  std::string end_time;
  std::string detected_time;
  std::string recovered_time;
  std::string verdict;  // Passed, Failed, empty while undecided
  std::string verdict_reason;
  std::string mttd;  // "42s"
  std::string mttr;
  std::optional<double> mttd_seconds;
  std::optional<double> mttr_seconds;
  std::vector<std::string> actions_observed;
};

struct FaultScenario {
  ObjectMeta metadata;
  FaultScenarioSpec spec;
  FaultScenarioStatus status;
};

inline constexpr const char* kFaultScenarioFinalizer = "kubeheal.io/fault-cleanup";
inline constexpr Millis kMaxScenarioDuration{std::chrono::hours(1)};

Result<FaultScenario> FaultScenarioFromJson(const nlohmann::json& object);
nlohmann::json ToJson(const FaultScenarioStatus& status);
FaultScenarioStatus FaultScenarioStatusFromJson(const nlohmann::json& status);

}  // namespace kubeheal::api
