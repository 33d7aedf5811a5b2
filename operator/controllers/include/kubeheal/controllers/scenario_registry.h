#pragma once

#include <map>
#include <mutex>
#include <string>

namespace kubeheal::controllers {

// Which FaultScenario is running against which HealingPolicy, so anomalies raised during a
// drill are tagged with it. Written by the FaultScenario reconciler, read by the HealingPolicy
// reconciler; thread-safe.
class ScenarioRegistry {
 public:
  void SetActive(const std::string& policy_key, const std::string& scenario_key);
  void Clear(const std::string& scenario_key);
  // "" when no scenario targets the policy.
  std::string ActiveFor(const std::string& policy_key) const;

 private:
  mutable std::mutex mu_;
  std::map<std::string, std::string> by_policy_;
};

}  // namespace kubeheal::controllers
