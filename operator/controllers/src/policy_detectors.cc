#include "kubeheal/controllers/policy_detectors.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include <Eigen/Core>

#include "kubeheal/api/duration.h"
#include "kubeheal/detectors/detector_factory.h"
#include "signal_conversions.h"

namespace kubeheal::controllers {
namespace {

enum class Kind {
  kPlain,         // fed as is
  kBaseline,      // rolling baseline, held on anomalies
  kMultivariate,  // isolation forest over [own value, params.signals...]
  kSlo,           // burnRate with spec.slo: judged from the SLO windows
};

bool IsRollingBaseline(const std::string& detector) {
  return detector == "zscore" || detector == "movingAverage" || detector == "ewma" ||
         detector == "mad";
}

std::string Fixed(double v, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

void WriteStatus(const policy::SignalObservation& o, api::SignalStatus* ss) {
  ss->name = o.name;
  ss->value = o.available ? Finite(o.value) : std::nullopt;
  ss->low = Finite(o.expected_low);
  ss->high = Finite(o.expected_high);
  ss->score = std::isfinite(o.score) ? o.score : 0;
  ss->severity = policy::SeverityName(o.severity);
  ss->anomalous = o.anomalous;
  ss->explanation = o.available ? o.explanation : "";
  ss->error = o.available ? "" : o.explanation;
  if (!o.anomalous) ss->anomalous_since.clear();
}

// Whether a point the detector finds normal is still outside the inner half of its band, on
// the side of the held anomaly.
bool StillOut(const detectors::Assessment& a, double value, bool above) {
  if (!std::isfinite(a.low) || !std::isfinite(a.high) || !std::isfinite(a.expected)) return false;
  return above ? value > a.expected + 0.5 * (a.high - a.expected)
               : value < a.expected - 0.5 * (a.expected - a.low);
}

}  // namespace

struct PolicyDetectors::Entry {
  Kind kind = Kind::kPlain;
  std::unique_ptr<detectors::Detector> detector;
  std::unique_ptr<detectors::MultivariateDetector> multivariate;
  std::string direction = "both";
  std::string error;
  bool warmed = false;
  double last_timestamp = -1;
  detectors::Assessment last;
  // kBaseline: the hold.
  double max_gap_seconds = 0;
  double max_hold_seconds = 0;
  std::optional<double> held_since;
  bool held_above = true;  // the side of the band the held anomaly is on
  // kMultivariate: members (this signal first), partial vectors by timestamp, the last vector.
  std::vector<std::string> members;
  std::map<double, std::vector<std::optional<double>>> pending;
  double last_vector_timestamp = -1;
  Eigen::VectorXd last_vector;
};

struct PolicyDetectors::Slo {
  api::SloSpec spec;
  std::vector<policy::BurnRateAlert> alerts;
  std::string error;   // bad burnRateAlerts: reported on the SLO signal
  std::string signal;  // the signal that shows it
  bool added = false;  // "slo" added by the operator (no burnRate signal in the policy)
  policy::SignalObservation last;
};

PolicyDetectors::PolicyDetectors(const std::vector<api::SignalSpec>& signals,
                                 PolicyDetectorsOptions options)
    : options_(options) {
  Build(signals, false);
}

PolicyDetectors::PolicyDetectors(const api::HealingPolicySpec& spec,
                                 const nlohmann::json& slo_burn_rate_alerts,
                                 PolicyDetectorsOptions options)
    : options_(options) {
  Build(spec.signals, spec.slo.has_value());
  if (!spec.slo) return;
  slo_ = std::make_unique<Slo>();
  slo_->spec = *spec.slo;
  auto alerts = policy::ParseBurnRateAlerts(slo_burn_rate_alerts);
  if (alerts.ok()) {
    slo_->alerts = std::move(*alerts);
  } else {
    slo_->error = alerts.error().message;
  }
  for (const auto& s : spec.signals) {
    if (s.detector == "burnRate") {
      slo_->signal = s.name;
      break;
    }
  }
  if (slo_->signal.empty()) {
    slo_->signal = AddedSloSignal(spec).value_or("");
    slo_->added = !slo_->signal.empty();
  }
}

PolicyDetectors::~PolicyDetectors() = default;

void PolicyDetectors::Build(const std::vector<api::SignalSpec>& signals, bool has_slo) {
  for (const auto& s : signals) {
    auto e = std::make_unique<Entry>();
    const auto& params = s.params;
    if (params.is_object() && params.contains("direction") && params["direction"].is_string()) {
      e->direction = params["direction"].get<std::string>();
    }
    auto detector_params = ToDetectorParams(params);
    const bool multivariate = s.detector == "isolationForest" && params.is_object() &&
                              params.contains("signals") && params["signals"].is_array();
    if (s.detector == "burnRate" && has_slo) {
      e->kind = Kind::kSlo;
    } else if (multivariate) {
      e->kind = Kind::kMultivariate;
      e->members.push_back(s.name);
      for (const auto& m : params["signals"]) {
        const std::string name = m.is_string() ? m.get<std::string>() : "";
        const bool known = std::any_of(signals.begin(), signals.end(),
                                       [&](const api::SignalSpec& t) { return t.name == name; });
        if (!known || name == s.name) {
          e->error = "params.signals: \"" + name + "\" is not another signal of this policy";
        } else if (std::find(e->members.begin(), e->members.end(), name) == e->members.end()) {
          e->members.push_back(name);
        }
      }
      if (e->error.empty()) {
        auto d = detectors::CreateMultivariateDetector(s.detector, detector_params);
        if (d.ok()) {
          e->multivariate = std::move(d.value());
        } else {
          e->error = d.error().message;
        }
      }
    } else {
      if (IsRollingBaseline(s.detector)) {
        e->kind = Kind::kBaseline;
        e->max_hold_seconds = std::max<double>(
            static_cast<double>(options_.min_baseline_hold.count()),
            options_.hold_for_factor * std::chrono::duration<double>(s.hold_for).count());
        // The gap is judged here, on the points fed: the detector's own clock stops while its
        // baseline is held, and it would take the hold for a gap.
        if (auto gap = detector_params.find("max_gap"); gap != detector_params.end()) {
          auto parsed = api::ParseDuration(gap->second);
          if (parsed.ok()) {
            e->max_gap_seconds = std::chrono::duration<double>(*parsed).count();
            detector_params.erase(gap);
          }  // else the factory reports the bad value
        }
      }
      auto d = detectors::CreateDetector(s.detector, detector_params);
      if (d.ok()) {
        e->detector = std::move(d.value());
      } else {
        e->error = d.error().message;
        e->kind = Kind::kPlain;
      }
    }
    entries_[s.name] = std::move(e);
  }
}

bool PolicyDetectors::Has(const std::string& signal) const {
  auto it = entries_.find(signal);
  if (it == entries_.end()) return false;
  const auto& e = *it->second;
  return e.detector != nullptr || e.multivariate != nullptr || e.kind == Kind::kSlo;
}

std::string PolicyDetectors::BuildError(const std::string& signal) const {
  auto it = entries_.find(signal);
  return it == entries_.end() ? "no such signal" : it->second->error;
}

bool PolicyDetectors::Warmed(const std::string& signal) const {
  auto it = entries_.find(signal);
  return it != entries_.end() && it->second->warmed;
}

void PolicyDetectors::MarkWarmed(const std::string& signal) {
  auto it = entries_.find(signal);
  if (it != entries_.end()) it->second->warmed = true;
}

bool PolicyDetectors::BaselineHeld(const std::string& signal) const {
  auto it = entries_.find(signal);
  return it != entries_.end() && it->second->held_since.has_value();
}

detectors::Assessment PolicyDetectors::Feed(const std::string& signal, double ts, double value) {
  auto it = entries_.find(signal);
  if (it == entries_.end() || !Has(signal)) return {};
  auto& e = *it->second;
  if (ts <= e.last_timestamp) return e.last;
  const double previous_timestamp = e.last_timestamp;
  e.last_timestamp = ts;
  RecordForVectors(signal, ts, value);
  if (e.kind == Kind::kSlo || e.kind == Kind::kMultivariate) return e.last;

  if (e.kind == Kind::kBaseline && e.max_gap_seconds > 0 && previous_timestamp >= 0 &&
      ts - previous_timestamp > e.max_gap_seconds) {
    e.detector->Reset();
    e.held_since.reset();
  }
  const std::string before = e.kind == Kind::kBaseline ? e.detector->SaveState() : std::string();
  auto a = e.detector->Update(ts, value);
  // Out of the normal band, whichever the direction: such a point is not learned (a dip in
  // traffic must not lower the baseline, or the return to normal would look like a surge).
  bool out = a.anomalous;
  // Recovery hysteresis: while held, the band is frozen, and a faulty point that the noise
  // brings just inside it is not a recovery. It must come back to the inner half of the band
  // (on the side it left) to count as normal; until then it is still the anomaly.
  const bool hysteresis =
      !out && e.kind == Kind::kBaseline && e.held_since && StillOut(a, value, e.held_above);
  if (hysteresis) out = true;
  if (e.kind == Kind::kBaseline) {
    if (!out) {
      e.held_since.reset();
    } else {
      if (!e.held_since) {
        e.held_since = ts;
        e.held_above = value > a.expected;
      }
      const double held = ts - *e.held_since;
      if (held < e.max_hold_seconds && e.detector->LoadState(before).ok()) {
        a.explanation += " (baseline held for " + Fixed(held, 0) + "s)";
      } else {
        a.explanation += " (baseline hold ended after " + Fixed(e.max_hold_seconds, 0) +
                         "s: learning the new level)";
      }
      a.details.push_back({"baseline_held_seconds", held});
    }
  }
  const bool above = hysteresis ? e.held_above : value > a.high;
  const bool below = hysteresis ? !e.held_above : value < a.low;
  const bool counted = e.direction == "above" ? above : e.direction == "below" ? below : true;
  if (out && counted && hysteresis) {
    a.anomalous = true;
    a.severity = std::max(e.last.severity, detectors::Severity::kWarning);
    a.score = std::max(a.score, 0.5);
    a.explanation = "value " + Fixed(value, 4) + " not yet back inside half of the band [" +
                    Fixed(a.low, 4) + ", " + Fixed(a.high, 4) + "]" + a.explanation;
  } else if (out && !counted) {
    a.anomalous = false;
    a.severity = detectors::Severity::kNormal;
    a.score = std::min(a.score, 0.49);
    a.explanation += " (ignored: direction " + e.direction + ")";
  }
  e.last = a;
  return a;
}

void PolicyDetectors::RecordForVectors(const std::string& signal, double ts, double value) {
  for (auto& [name, entry] : entries_) {
    auto& m = *entry;
    if (m.kind != Kind::kMultivariate || !m.multivariate) continue;
    const auto pos = std::find(m.members.begin(), m.members.end(), signal);
    if (pos == m.members.end() || ts <= m.last_vector_timestamp) continue;
    auto& slots = m.pending[ts];
    if (slots.empty()) slots.resize(m.members.size());
    slots[static_cast<size_t>(pos - m.members.begin())] = value;
    if (std::all_of(slots.begin(), slots.end(), [](const auto& v) { return v.has_value(); })) {
      Eigen::VectorXd x(static_cast<Eigen::Index>(slots.size()));
      for (size_t i = 0; i < slots.size(); ++i) x(static_cast<Eigen::Index>(i)) = *slots[i];
      // Vectors complete in time order during warm-up (the last member's range completes them
      // one by one) and live (one timestamp per evaluation); older partial ones are stale.
      m.pending.erase(m.pending.begin(), m.pending.upper_bound(ts));
      m.last = m.multivariate->Update(ts, x);
      m.last_vector_timestamp = ts;
      m.last_vector = x;
    }
    while (m.pending.size() > options_.max_pending_vectors) m.pending.erase(m.pending.begin());
  }
}

policy::SignalObservation PolicyDetectors::EvaluateSlo(prom::PrometheusClient& prometheus,
                                                       std::chrono::milliseconds timeout,
                                                       const QueryContext& context) {
  policy::SignalObservation o;
  o.name = slo_->signal;
  o.query = RenderQuery(slo_->spec.total_query, context);
  if (!slo_->error.empty()) {
    o.available = false;
    o.explanation = slo_->error;
    return o;
  }
  std::map<std::string, double> error_ratios;
  std::string failure;
  for (const auto& window : policy::BurnRateWindows(slo_->alerts)) {
    QueryContext c = context;
    c.window = window;
    auto good = prometheus.Query({RenderQuery(slo_->spec.good_query, c), std::nullopt, timeout});
    auto total = prometheus.Query({RenderQuery(slo_->spec.total_query, c), std::nullopt, timeout});
    if (!good.ok() || !total.ok()) {
      failure = "SLO query over " + window +
                " failed: " + (good.ok() ? total.error() : good.error()).ToString();
      continue;
    }
    const auto t = PickValue(*total);
    if (!t || !(*t > 0)) continue;  // no events in the window: nothing burnt, nothing known
    // No good series at all (every event bad) reads as zero good events.
    const double g = PickValue(*good).value_or(0);
    error_ratios[window] = std::clamp(1.0 - g / *t, 0.0, 1.0);
  }
  o = policy::AssessBurnRate(slo_->signal, slo_->spec.objective, slo_->alerts, error_ratios);
  o.query = RenderQuery(slo_->spec.total_query, context);
  if (!o.available && !failure.empty()) o.explanation = failure;
  return o;
}

void PolicyDetectors::EvaluateDerived(prom::PrometheusClient& prometheus,
                                      std::chrono::milliseconds timeout,
                                      const QueryContext& context, double ts,
                                      policy::Observation* observation,
                                      std::vector<api::SignalStatus>* statuses) {
  auto put = [&](const policy::SignalObservation& o) {
    auto obs = std::find_if(observation->signals.begin(), observation->signals.end(),
                            [&](const auto& s) { return s.name == o.name; });
    if (obs == observation->signals.end()) {
      observation->signals.push_back(o);
    } else {
      const std::string query = obs->query.empty() ? o.query : obs->query;
      *obs = o;
      obs->query = query;
    }
    auto ss = std::find_if(statuses->begin(), statuses->end(),
                           [&](const auto& s) { return s.name == o.name; });
    if (ss == statuses->end()) {
      statuses->emplace_back();
      ss = statuses->end() - 1;
    }
    WriteStatus(o, &*ss);
  };
  for (auto& [name, entry] : entries_) {
    auto& e = *entry;
    if (e.kind != Kind::kMultivariate || !e.multivariate) continue;
    policy::SignalObservation o;
    o.name = name;
    if (e.last_vector_timestamp != ts) {
      o.available = false;
      o.explanation = "no complete vector of " + std::to_string(e.members.size()) +
                      " signals at this evaluation (a member's query gave no value)";
      put(o);
      continue;
    }
    const auto& a = e.last;
    o.value = a.details.empty() ? a.score : a.details.front().value;  // the isolation score
    o.expected_low = 0;
    o.expected_high = a.high;
    o.score = a.score;
    o.severity = ToPolicySeverity(a.severity);
    o.anomalous = a.anomalous;
    std::string vector;
    for (size_t i = 0; i < e.members.size(); ++i) {
      vector += (i ? ", " : "") + e.members[i] + "=" +
                Fixed(e.last_vector(static_cast<Eigen::Index>(i)), 4);
    }
    o.explanation =
        (a.explanation.empty() ? "isolation score " + Fixed(o.value, 3) : a.explanation) +
        " for [" + vector + "]";
    put(o);
  }
  if (slo_ && !slo_->signal.empty()) {
    slo_->last = EvaluateSlo(prometheus, timeout, context);
    put(slo_->last);
  }
}

}  // namespace kubeheal::controllers
