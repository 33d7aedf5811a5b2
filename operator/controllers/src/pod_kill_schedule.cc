#include "kubeheal/controllers/pod_kill_schedule.h"

#include <algorithm>
#include <set>

#include "kubeheal/api/duration.h"
#include "kubeheal/controllers/fault_scenario_reconciler.h"

namespace kubeheal::controllers {
namespace {

std::optional<Clock::TimePoint> LastKill(const std::vector<api::ScenarioTarget>& targets) {
  std::optional<Clock::TimePoint> last;
  for (const auto& t : targets) {
    if (t.killed_at.empty()) continue;
    auto at = api::ParseRfc3339(t.killed_at);
    if (at.ok() && (!last || *at > *last)) last = *at;
  }
  return last;
}

bool Terminating(const nlohmann::json& pod) {
  return pod.value("metadata", nlohmann::json::object()).contains("deletionTimestamp");
}

}  // namespace

std::vector<PodKillSchedule::Kill> PodKillSchedule::Due(
    const api::FaultSpec& fault, const api::FaultScenarioSpec& spec,
    const std::vector<api::ScenarioTarget>& targets, const std::vector<nlohmann::json>& pods,
    Clock::TimePoint start, Clock::TimePoint now, const std::string& seed) {
  std::vector<Kill> kills;
  if (now >= start + spec.duration) return kills;
  std::set<std::string> recorded;
  for (const auto& t : targets) recorded.insert(t.pod);
  // Targets not killed yet: the first round, or a deletion that failed and is retried.
  for (const auto& t : targets) {
    if (!t.killed_at.empty()) continue;
    for (const auto& pod : pods) {
      if (pod["metadata"].value("name", "") == t.pod && !Terminating(pod)) {
        kills.push_back({t.pod, t.ip, false});
      }
    }
  }
  const auto last = LastKill(targets);
  // A new round only once every recorded target is dealt with, so a failing deletion is
  // retried instead of spreading to more pods.
  if (!kills.empty()) return kills;
  if (fault.interval.count() <= 0 || !last || now < *last + fault.interval) return kills;
  // Never the same pod twice; a StatefulSet's replacement has the name of the pod it replaces
  // but was created after that pod was killed, so it is a new pod and may be picked.
  std::vector<nlohmann::json> eligible;
  for (const auto& pod : pods) {
    const std::string name = pod["metadata"].value("name", "");
    if (!recorded.count(name)) {
      eligible.push_back(pod);
      continue;
    }
    auto created = api::ParseRfc3339(pod["metadata"].value("creationTimestamp", ""));
    bool replacement = created.ok();
    for (const auto& t : targets) {
      if (t.pod != name) continue;
      auto killed = api::ParseRfc3339(t.killed_at);
      if (!killed.ok() || !created.ok() || *created < *killed) replacement = false;
    }
    if (replacement) eligible.push_back(pod);
  }
  size_t rounds = 0;
  for (const auto& t : targets) rounds += t.killed_at.empty() ? 0 : 1;
  for (const auto& pod : FaultScenarioReconciler::ChooseTargets(
           spec, eligible, seed + "/" + std::to_string(rounds))) {
    kills.push_back({pod["metadata"].value("name", ""),
                     pod.value("status", nlohmann::json::object()).value("podIP", ""), true});
  }
  return kills;
}

std::optional<Clock::TimePoint> PodKillSchedule::NextRound(
    const api::FaultSpec& fault, const std::vector<api::ScenarioTarget>& targets,
    Clock::TimePoint end) {
  if (fault.interval.count() <= 0) return std::nullopt;
  const auto last = LastKill(targets);
  if (!last) return std::nullopt;
  const auto next = *last + fault.interval;
  if (next >= end) return std::nullopt;
  return next;
}

void PodKillSchedule::Trim(std::vector<api::ScenarioTarget>* targets) {
  size_t killed_only = 0;
  for (const auto& t : *targets) killed_only += (!t.killed_at.empty() && t.fault_ids.empty());
  // Targets are appended in kill order, so the first killed-only entries are the oldest.
  for (auto it = targets->begin(); killed_only > kMaxKilledTargets && it != targets->end();) {
    if (!it->killed_at.empty() && it->fault_ids.empty()) {
      it = targets->erase(it);
      --killed_only;
    } else {
      ++it;
    }
  }
}

}  // namespace kubeheal::controllers
