#include "pattern_matcher.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace kubeheal::policy {
namespace {

SignalKind KindOf(Pattern pattern) {
  switch (pattern) {
    case Pattern::kHighLatency: return SignalKind::kLatency;
    case Pattern::kHighErrorRate: return SignalKind::kErrors;
    case Pattern::kTrafficSpike: return SignalKind::kTraffic;
    case Pattern::kMemoryGrowth: return SignalKind::kMemory;
    case Pattern::kCrash: break;
  }
  return SignalKind::kOther;
}

const SignalObservation* Find(const Observation& observation, const std::string& name) {
  for (const auto& s : observation.signals) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

const SignalHold* FindHold(const PolicyState& state, const std::string& name) {
  for (const auto& h : state.holds) {
    if (h.signal == name) return &h;
  }
  return nullptr;
}

// The patterns are all "too much of something": an anomaly below the band (a latency drop,
// a traffic dip) is not a reason to throttle or scale out. Memory is anomalous whichever way
// its detector (a trend towards exhaustion) flags it.
bool AnomalousOnTheHighSide(const SignalObservation& s, Pattern pattern) {
  if (!s.available || !s.anomalous) return false;
  if (pattern == Pattern::kMemoryGrowth) return true;
  return !(s.value < s.expected_low);
}

std::string Number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4g", v);
  return buf;
}

Evidence EvidenceOf(const SignalObservation& s, const SignalSpec& spec) {
  return Evidence{s.name,       s.query.empty() ? spec.query : s.query,
                  s.value,      s.expected_low,
                  s.expected_high, s.score,
                  s.severity,   s.explanation};
}

std::vector<const SignalSpec*> SignalsOf(const Rule& rule, const PolicySpec& spec) {
  std::vector<const SignalSpec*> out;
  for (const auto& s : spec.signals) {
    const bool named = std::find(rule.signals.begin(), rule.signals.end(), s.name) !=
                       rule.signals.end();
    if (rule.signals.empty() ? s.kind == KindOf(rule.pattern) : named) out.push_back(&s);
  }
  return out;
}

RuleMatch MatchCrash(const PolicySpec& spec, const Observation& observation,
                     const PolicyState& state, Clock::TimePoint now) {
  RuleMatch m;
  const auto& w = observation.workload;
  const int failing = w.crashing_pods + w.not_ready_pods;
  m.anomalous = failing > 0;
  m.triggered = m.anomalous && state.pods_failing_since &&
                now - *state.pods_failing_since >= spec.pod_failure_for;
  if (m.anomalous) {
    const std::string text = std::to_string(w.crashing_pods) + " crashing and " +
                             std::to_string(w.not_ready_pods) + " not-ready pods of " +
                             std::to_string(w.current_replicas) + " replicas";
    m.evidence.push_back(Evidence{"pods", "", static_cast<double>(failing), 0, 0,
                                  static_cast<double>(failing), Severity::kCritical, text});
    m.summary = text;
  }
  return m;
}

}  // namespace

void UpdateHolds(const PolicySpec& spec, const Observation& observation, Clock::TimePoint now,
                 PolicyState& state) {
  std::vector<SignalHold> holds;
  for (const auto& signal : spec.signals) {
    const SignalHold* previous = FindHold(state, signal.name);
    const SignalObservation* seen = Find(observation, signal.name);
    if (!seen || !seen->available) {
      if (previous) holds.push_back(*previous);
    } else if (seen->anomalous) {
      holds.push_back(previous ? *previous : SignalHold{signal.name, now});
    }
  }
  state.holds = std::move(holds);  // signals no longer in the spec are dropped
  const auto& w = observation.workload;
  if (w.crashing_pods + w.not_ready_pods > 0) {
    if (!state.pods_failing_since) state.pods_failing_since = now;
  } else {
    state.pods_failing_since.reset();
  }
}

RuleMatch MatchRule(const Rule& rule, const PolicySpec& spec, const Observation& observation,
                    const PolicyState& state, Clock::TimePoint now) {
  if (rule.pattern == Pattern::kCrash) return MatchCrash(spec, observation, state, now);
  RuleMatch m;
  const auto signals = SignalsOf(rule, spec);
  m.configured = !signals.empty();
  bool held = false;
  bool missing = false;
  for (const SignalSpec* signal : signals) {
    const SignalObservation* seen = Find(observation, signal->name);
    if (!seen || !seen->available) {
      missing = true;
      continue;
    }
    if (!AnomalousOnTheHighSide(*seen, rule.pattern)) continue;
    m.anomalous = true;
    m.evidence.push_back(EvidenceOf(*seen, *signal));
    const SignalHold* hold = FindHold(state, signal->name);
    const bool this_held = hold && now - hold->anomalous_since >= signal->hold_for;
    held = held || this_held;
    if (!m.summary.empty()) m.summary += "; ";
    m.summary += signal->name + " " + Number(seen->value) + " outside " +
                 Number(seen->expected_low) + ".." + Number(seen->expected_high) +
                 (this_held ? "" : " (holding for " + std::to_string(signal->hold_for.count()) +
                                       "s before it counts)");
  }
  m.unknown = missing && !m.anomalous;
  // High latency is this pattern only while the errors are normal; with errors it is the
  // error-rate pattern's to handle, so the two rules do not act on one cause.
  if (rule.pattern == Pattern::kHighLatency && m.anomalous) {
    for (const auto& s : spec.signals) {
      const SignalObservation* seen = s.kind == SignalKind::kErrors ? Find(observation, s.name)
                                                                     : nullptr;
      if (seen && AnomalousOnTheHighSide(*seen, Pattern::kHighErrorRate)) m.excluded = true;
    }
  }
  m.triggered = held && !m.excluded;
  return m;
}

}  // namespace kubeheal::policy
