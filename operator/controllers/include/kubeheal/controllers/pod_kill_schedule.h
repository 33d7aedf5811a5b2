#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "kubeheal/api/fault_scenario.h"
#include "kubeheal/common/clock.h"

namespace kubeheal::controllers {

// When a podKill fault deletes which pods (crds/faultscenarios: podKill.interval).
//
// Without `interval`, the scenario's targets (chosen by `mode` when injection starts) are each
// deleted once. With `interval`, that first round is followed by one round every interval until
// the scenario's `duration` ends: each round picks, by `mode`, among the pods that match the
// selector NOW and were never targeted before — typically the replacements the workload's
// controller created — so the workload keeps losing pods the way a node drain or a chaos monkey
// would make it, never the same pod twice. A round that finds no eligible pod (replacements not
// running yet) is taken as soon as one is. Rounds are timed from the last recorded kill
// (status.targets[].killedAt), so an operator restart neither repeats nor skips one.
// A pure function of its inputs: no I/O, no clock.
class PodKillSchedule {
 public:
  struct Kill {
    std::string pod;
    std::string ip;
    bool new_target = false;  // not yet in status.targets: record it before deleting
  };

  static std::vector<Kill> Due(const api::FaultSpec& fault, const api::FaultScenarioSpec& spec,
                               const std::vector<api::ScenarioTarget>& targets,
                               const std::vector<nlohmann::json>& pods, Clock::TimePoint start,
                               Clock::TimePoint now, const std::string& seed);

  // When the next round is due (nullopt: no interval, nothing killed yet, or past the end).
  static std::optional<Clock::TimePoint> NextRound(const api::FaultSpec& fault,
                                                   const std::vector<api::ScenarioTarget>& targets,
                                                   Clock::TimePoint end);

  // status.targets holds at most this many killed pods without faults; older ones are dropped.
  static constexpr size_t kMaxKilledTargets = 64;
  static void Trim(std::vector<api::ScenarioTarget>* targets);
};

}  // namespace kubeheal::controllers
