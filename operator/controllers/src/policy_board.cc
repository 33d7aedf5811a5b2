#include "kubeheal/controllers/policy_board.h"

#include <algorithm>

namespace kubeheal::controllers {

void PolicyBoard::Update(const std::string& ns, const std::string& name,
                         std::vector<std::string> depends_on,
                         const std::vector<policy::RelatedAnomaly>& own, Clock::TimePoint now) {
  std::lock_guard lock(mu_);
  auto& e = entries_[Key(ns, name)];
  e.depends_on = std::move(depends_on);
  for (const auto& a : own) {
    auto it = std::find_if(e.anomalies.begin(), e.anomalies.end(),
                           [&](const policy::RelatedAnomaly& k) { return k.pattern == a.pattern; });
    if (it == e.anomalies.end()) {
      e.anomalies.push_back({a.pattern, now, a.summary});
    } else {
      it->last_seen = now;
      it->summary = a.summary;
    }
  }
  std::erase_if(e.anomalies,
                [&](const policy::RelatedAnomaly& a) { return now - a.last_seen > forget_after; });
}

void PolicyBoard::Forget(const std::string& ns, const std::string& name) {
  std::lock_guard lock(mu_);
  entries_.erase(Key(ns, name));
}

bool PolicyBoard::Knows(const std::string& ns, const std::string& name) const {
  std::lock_guard lock(mu_);
  return entries_.count(Key(ns, name)) > 0;
}

std::vector<policy::RelatedPolicy> PolicyBoard::Related(
    const std::string& ns, const std::string& name,
    const std::vector<std::string>& depends_on) const {
  std::lock_guard lock(mu_);
  std::vector<policy::RelatedPolicy> out;
  for (const auto& dep : depends_on) {
    auto it = entries_.find(Key(ns, dep));
    if (it == entries_.end()) continue;
    out.push_back({dep, policy::Relation::kDependency, it->second.anomalies});
  }
  const std::string prefix = ns + "/";
  for (auto it = entries_.lower_bound(prefix);
       it != entries_.end() && it->first.compare(0, prefix.size(), prefix) == 0; ++it) {
    const auto& deps = it->second.depends_on;
    if (std::find(deps.begin(), deps.end(), name) == deps.end()) continue;
    out.push_back(
        {it->first.substr(prefix.size()), policy::Relation::kCaller, it->second.anomalies});
  }
  return out;
}

}  // namespace kubeheal::controllers
