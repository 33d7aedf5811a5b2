#pragma once

#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kubeheal::policy {

enum class Severity { kNormal, kInfo, kWarning, kCritical };
const char* SeverityName(Severity severity);
std::optional<Severity> ParseSeverity(std::string_view name);

// What the controller learned about one signal in this evaluation (query result fed to the
// signal's detector). A signal missing from the observation, or with `available` false
// (Prometheus down, empty result), is unknown: it neither triggers nor proves recovery.
struct SignalObservation {
  std::string name;
  std::string query;
  bool available = true;
  double value = std::numeric_limits<double>::quiet_NaN();
  double expected_low = std::numeric_limits<double>::quiet_NaN();
  double expected_high = std::numeric_limits<double>::quiet_NaN();
  double score = 0;
  Severity severity = Severity::kNormal;
  bool anomalous = false;
  std::string explanation;
};

// Pod-level facts about the target workload, from the Kubernetes API.
struct WorkloadFacts {
  int crashing_pods = 0;  // in CrashLoopBackOff or restarted since the last evaluation
  int not_ready_pods = 0;
  int current_replicas = 0;
};

// One evaluation's input.
struct Observation {
  std::vector<SignalObservation> signals;
  WorkloadFacts workload;
};

}  // namespace kubeheal::policy
