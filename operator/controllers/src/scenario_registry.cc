#include "kubeheal/controllers/scenario_registry.h"

namespace kubeheal::controllers {

void ScenarioRegistry::SetActive(const std::string& policy_key, const std::string& scenario_key) {
  std::lock_guard lock(mu_);
  by_policy_[policy_key] = scenario_key;
}

void ScenarioRegistry::Clear(const std::string& scenario_key) {
  std::lock_guard lock(mu_);
  for (auto it = by_policy_.begin(); it != by_policy_.end();) {
    it = it->second == scenario_key ? by_policy_.erase(it) : std::next(it);
  }
}

std::string ScenarioRegistry::ActiveFor(const std::string& policy_key) const {
  std::lock_guard lock(mu_);
  auto it = by_policy_.find(policy_key);
  return it == by_policy_.end() ? "" : it->second;
}

}  // namespace kubeheal::controllers
