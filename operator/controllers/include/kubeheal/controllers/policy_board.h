#pragma once

#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "kubeheal/common/clock.h"
#include "kubeheal/policy/observation.h"

namespace kubeheal::controllers {

// What each HealingPolicy this operator evaluates found at its last evaluation, for the other
// policies of its namespace: the anomalies it has on its own account (each with when it was
// last seen) and the policies it depends on. From it, the reconciler tells an evaluation which
// related policies can explain its anomalies: its dependencies (spec.dependsOn) and its callers
// (the policies whose dependsOn names it). Only policies of the same namespace are related.
//
// In memory: a new leader learns a policy at its first evaluation (one interval); until then
// a dependency is read from its status instead (HealingPolicyReconciler).
//
// Threads: every method takes the board's mutex; workers of different policies share it.
class PolicyBoard {
 public:
  // Records policy ns/name's evaluation at `now`: `own` are the anomalies found now that no
  // related policy explains. Anomalies not seen now keep their last sighting (for the grace of
  // the policies that wait on them) until `forget_after` has passed.
  void Update(const std::string& ns, const std::string& name, std::vector<std::string> depends_on,
              const std::vector<policy::RelatedAnomaly>& own, Clock::TimePoint now);
  void Forget(const std::string& ns, const std::string& name);
  bool Knows(const std::string& ns, const std::string& name) const;

  // The dependencies (as listed, those the board knows) then the callers (by name) of ns/name.
  std::vector<policy::RelatedPolicy> Related(const std::string& ns, const std::string& name,
                                             const std::vector<std::string>& depends_on) const;

  std::chrono::seconds forget_after{std::chrono::minutes(30)};

 private:
  struct Entry {
    std::vector<std::string> depends_on;
    std::vector<policy::RelatedAnomaly> anomalies;
  };
  static std::string Key(const std::string& ns, const std::string& name) { return ns + "/" + name; }

  mutable std::mutex mu_;
  std::map<std::string, Entry> entries_;
};

}  // namespace kubeheal::controllers
