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

// One fault to inject. Agent faults go to the agent admin API; podKill goes through the
// Kubernetes API.
struct FaultSpec {
  // latency, httpError, abort, hang, trafficDrop, cpuBurn, memoryLeak, crash, podKill
  std::string type;
  double percent = 100;
  Millis delay{0};   // latency; crash: delay before exit
  Millis jitter{0};  // latency
  int64_t status = 503;  // httpError
  int64_t exit_code = 1;  // crash
  double mb_per_second = 0;  // memoryLeak
  int64_t cap_mb = 0;        // memoryLeak
  int64_t threads = 1;       // cpuBurn
  int64_t duty_percent = 100;  // cpuBurn
  std::string match_method;       // optional request filter
  std::string match_path_prefix;  // optional request filter
  Millis interval{0};  // podKill: kill again every interval (0: once)

  bool IsAgentFault() const { return type != "podKill"; }
  bool IsProcessFault() const {
    return type == "cpuBurn" || type == "memoryLeak" || type == "crash";
  }
};

struct ScenarioExpectation {
  std::string policy;  // HealingPolicy name in the scenario's namespace
  Millis detect_within{std::chrono::minutes(2)};
  Millis heal_within{std::chrono::minutes(5)};
  std::string action;  // optional: the action that should be taken (e.g. throttle)
};

struct FaultScenarioSpec {
  std::map<std::string, std::string> selector;  // matchLabels
  std::string mode = "all";                       // all, one, fixed, percent
  int64_t value = 0;                              // count for fixed, percent for percent
  std::vector<FaultSpec> faults;
  Millis duration{0};
  std::string start_time;  // RFC 3339, optional
  std::optional<ScenarioExpectation> expect;
};

struct ScenarioTarget {
  std::string pod;
  std::string ip;
  bool injected = false;
  std::string error;  // last error pushing to this pod's agent
};

struct Verdict {
  std::string result;  // Passed, Failed, Pending
  std::string reason;
  std::string detected_at;
  std::string recovered_at;
  std::optional<double> mttd_seconds;
  std::optional<double> mttr_seconds;
  std::string action;  // the policy's first action during the scenario
};

struct FaultScenarioStatus {
  int64_t observed_generation = 0;
  std::string phase;  // Pending, Injecting, Verifying, Completed, Failed
  std::vector<Condition> conditions;
  std::vector<ScenarioTarget> targets;
  std::string start_time;
  std::string end_time;
  std::string last_renew_time;
  std::string message;
  std::optional<Verdict> verdict;
};

struct FaultScenario {
  ObjectMeta metadata;
  FaultScenarioSpec spec;
  FaultScenarioStatus status;
};

inline constexpr const char* kFaultScenarioFinalizer = "kubeheal.io/fault-cleanup";
inline constexpr Millis kMaxScenarioDuration{std::chrono::hours(24)};

Result<FaultScenario> FaultScenarioFromJson(const nlohmann::json& object);
nlohmann::json ToJson(const FaultScenarioStatus& status);
FaultScenarioStatus FaultScenarioStatusFromJson(const nlohmann::json& status);

}  // namespace kubeheal::api
