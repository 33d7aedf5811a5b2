#include "kubeheal/policy/explanation.h"

namespace kubeheal::policy {
namespace {

bool Explains(Relation relation, Pattern related, Pattern own) {
  switch (own) {
    case Pattern::kLatency:
    case Pattern::kErrors:
      return relation == Relation::kDependency;
    case Pattern::kTraffic:
      return relation == Relation::kCaller && related == Pattern::kTraffic;
    default:
      return false;
  }
}

}  // namespace

const char* RelationName(Relation relation) {
  return relation == Relation::kDependency ? "dependency" : "caller";
}

std::optional<Explanation> Explain(Pattern pattern, const Observation& observation,
                                   Clock::TimePoint now) {
  // Dependencies before callers; within each, an anomaly of the same pattern (the slow
  // dependency of a slow caller) before one of another pattern (its errors), so status and the
  // Event name the likeliest cause.
  for (const Relation relation : {Relation::kDependency, Relation::kCaller}) {
    for (const bool same_pattern_only : {true, false}) {
      for (const auto& r : observation.related) {
        if (r.relation != relation) continue;
        for (const auto& a : r.anomalies) {
          if (now - a.last_seen > observation.related_grace) continue;
          if (same_pattern_only && a.pattern != pattern) continue;
          if (!Explains(r.relation, a.pattern, pattern)) continue;
          return Explanation{r.name, r.relation, a.pattern, a.summary};
        }
      }
    }
  }
  return std::nullopt;
}

std::string Describe(const Explanation& e) {
  return std::string(PatternName(e.pattern)) + " of " + e.policy + " (" + RelationName(e.relation) +
         ")" + (e.summary.empty() ? "" : ": " + e.summary);
}

}  // namespace kubeheal::policy
