#pragma once

#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kubeheal/common/clock.h"

namespace kubeheal::policy {

enum class Pattern;  // kubeheal/policy/policy_spec.h

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

// How another policy of the namespace stands to this one: this policy's workload calls the
// other's (a dependency, spec.dependsOn), or the other's workload calls this one (a caller:
// a policy whose dependsOn names this one).
enum class Relation { kDependency, kCaller };
const char* RelationName(Relation relation);  // "dependency", "caller"

// An anomaly a related policy has on its own account: not explained in turn by one of its
// own dependencies or callers (so two policies never wait on each other).
struct RelatedAnomaly {
  Pattern pattern;
  Clock::TimePoint last_seen;  // the last evaluation that found it; may be earlier than now
  std::string summary;         // "p99-latency 1.2 outside -inf..0.4"
};

struct RelatedPolicy {
  std::string name;
  Relation relation = Relation::kDependency;
  std::vector<RelatedAnomaly> anomalies;
};

// One evaluation's input.
struct Observation {
  std::vector<SignalObservation> signals;
  WorkloadFacts workload;
  // The policies whose anomalies can explain this one's (see explanation.h), and how long after
  // a related anomaly was last seen it still explains: the callers' rate windows lag behind.
  std::vector<RelatedPolicy> related;
  std::chrono::seconds related_grace{120};
};

}  // namespace kubeheal::policy
