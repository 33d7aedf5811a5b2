#include "pattern_matcher.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace kubeheal::policy {
namespace {

// Pod facts enter the holds like signals, under names no signal can take (the CRD restricts
// signal names to DNS labels).
constexpr const char* kCrashingHold = "@crashing";
constexpr const char* kNotReadyHold = "@notReady";

// One thing a rule looks at: a signal's observation or a pod fact.
struct Source {
  std::string name;
  bool available = true;
  bool anomalous = false;      // anomalous in the direction the pattern cares about
  bool strong_enough = false;  // and at least the rule's minSeverity
  bool held = false;           // and for at least its `for`
  Seconds hold_for{0};         // its `for`
  Evidence evidence;
  std::string text;
};

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

// latency, errors and traffic patterns are "too much of something": an anomaly below the band
// (a latency drop, a traffic dip) is no reason to throttle or scale out. Other patterns take
// the detector's verdict as it is (its direction is configured on the signal).
bool Counts(const SignalObservation& s, Pattern pattern) {
  if (!s.available || !s.anomalous) return false;
  const bool too_much =
      pattern == Pattern::kLatency || pattern == Pattern::kErrors || pattern == Pattern::kTraffic;
  return !too_much || !(s.value < s.expected_low);
}

std::string Number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4g", v);
  return buf;
}

bool Held(const PolicyState& state, const std::string& name, Seconds hold_for,
          Clock::TimePoint now) {
  const SignalHold* hold = FindHold(state, name);
  return hold && now - hold->anomalous_since >= hold_for;
}

Source SignalSource(const SignalSpec& spec, const Observation& observation,
                    const PolicyState& state, Clock::TimePoint now, Pattern pattern,
                    Severity min_severity) {
  Source src;
  src.name = spec.name;
  src.hold_for = spec.hold_for;
  const SignalObservation* seen = Find(observation, spec.name);
  if (!seen || !seen->available) {
    src.available = false;
    return src;
  }
  src.anomalous = Counts(*seen, pattern);
  if (!src.anomalous) return src;
  src.strong_enough = seen->severity >= min_severity;
  src.held = Held(state, spec.name, spec.hold_for, now);
  src.evidence = Evidence{seen->name,          seen->query.empty() ? spec.query : seen->query,
                          seen->value,         seen->expected_low,
                          seen->expected_high, seen->score,
                          seen->severity,      seen->explanation};
  // Inside the band yet anomalous: the detector's recovery hysteresis (not yet back in the
  // inner part of the band it left).
  const bool inside = seen->value >= seen->expected_low && seen->value <= seen->expected_high;
  src.text = spec.name + " " + Number(seen->value) +
             (inside ? " not yet back to normal in " : " outside ") + Number(seen->expected_low) +
             ".." + Number(seen->expected_high) + " (" + SeverityName(seen->severity) + ")";
  if (!src.held)
    src.text += ", holding for " + std::to_string(spec.hold_for.count()) + "s before it counts";
  return src;
}

Source PodSource(Pattern pattern, const PolicySpec& spec, const Observation& observation,
                 const PolicyState& state, Clock::TimePoint now) {
  const auto& w = observation.workload;
  const bool crash = pattern == Pattern::kCrash;
  const int pods = crash ? w.crashing_pods : w.not_ready_pods;
  Source src;
  src.name = crash ? kCrashingHold : kNotReadyHold;
  src.hold_for = spec.pod_failure_for;
  src.anomalous = pods > 0;
  if (!src.anomalous) return src;
  src.strong_enough = true;
  src.held = Held(state, src.name, spec.pod_failure_for, now);
  src.text = std::to_string(pods) + (crash ? " crashing" : " not-ready") + " pods of " +
             std::to_string(w.current_replicas) + " replicas";
  if (!src.held) {
    src.text +=
        ", holding for " + std::to_string(spec.pod_failure_for.count()) + "s before it counts";
  }
  src.evidence = Evidence{crash ? "crashingPods" : "notReadyPods",
                          "",
                          static_cast<double>(pods),
                          0,
                          0,
                          static_cast<double>(pods),
                          Severity::kCritical,
                          src.text};
  return src;
}

// The sources a pattern is seen in: the signals named by the rule, or else every signal with
// that pattern plus, for crash and notReady, the pod facts.
std::vector<Source> SourcesOf(Pattern pattern, const std::vector<std::string>& named,
                              Severity min_severity, const PolicySpec& spec,
                              const Observation& observation, const PolicyState& state,
                              Clock::TimePoint now) {
  std::vector<Source> out;
  for (const auto& s : spec.signals) {
    const bool chosen = named.empty()
                            ? s.pattern == pattern
                            : std::find(named.begin(), named.end(), s.name) != named.end();
    if (chosen) out.push_back(SignalSource(s, observation, state, now, pattern, min_severity));
  }
  if (named.empty() && (pattern == Pattern::kCrash || pattern == Pattern::kNotReady)) {
    out.push_back(PodSource(pattern, spec, observation, state, now));
  }
  return out;
}

}  // namespace

void UpdateHolds(const PolicySpec& spec, const Observation& observation, Clock::TimePoint now,
                 PolicyState& state) {
  std::vector<SignalHold> holds;
  auto track = [&](const std::string& name, bool known, bool anomalous) {
    const SignalHold* previous = FindHold(state, name);
    if (!known) {
      if (previous) holds.push_back(*previous);  // missing data neither starts nor ends it
    } else if (anomalous) {
      holds.push_back(previous ? *previous : SignalHold{name, now});
    }
  };
  for (const auto& signal : spec.signals) {
    const SignalObservation* seen = Find(observation, signal.name);
    const bool known = seen && seen->available;
    track(signal.name, known, known && seen->anomalous);
  }
  track(kCrashingHold, true, observation.workload.crashing_pods > 0);
  track(kNotReadyHold, true, observation.workload.not_ready_pods > 0);
  state.holds = std::move(holds);  // signals no longer in the spec are dropped
}

RuleMatch MatchRule(const Rule& rule, const PolicySpec& spec, const Observation& observation,
                    const PolicyState& state, Clock::TimePoint now) {
  RuleMatch m;
  const auto sources =
      SourcesOf(rule.pattern, rule.signals, rule.min_severity, spec, observation, state, now);
  m.configured = !sources.empty();
  if (!m.configured) return m;
  int available = 0, anomalous = 0, triggering = 0;
  for (const auto& src : sources) {
    available += src.available;
    m.recovery_hold = std::max(m.recovery_hold, src.hold_for);
    anomalous += src.anomalous;
    triggering += src.anomalous && src.strong_enough && src.held;
    if (src.anomalous) {
      m.evidence.push_back(src.evidence);
      m.summary += (m.summary.empty() ? "" : "; ") + src.text;
    }
  }
  const int n = static_cast<int>(sources.size());
  const bool missing = available < n;
  if (rule.match == Match::kAll) {
    m.anomalous = anomalous == n;
    // One signal seen normal settles it; otherwise missing data leaves it open.
    m.unknown = missing && anomalous == available;
    m.triggered = triggering == n;
  } else {
    m.anomalous = anomalous > 0;
    m.unknown = missing && anomalous == 0;
    m.triggered = triggering > 0;
  }
  if (m.anomalous) {
    for (const Pattern other : rule.unless) {
      for (const auto& src :
           SourcesOf(other, {}, Severity::kNormal, spec, observation, state, now)) {
        if (src.anomalous) {
          m.excluded = true;
          m.excluded_by = PatternName(other);
        }
      }
    }
  }
  m.triggered = m.triggered && !m.excluded;
  return m;
}

}  // namespace kubeheal::policy
