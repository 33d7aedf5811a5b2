#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "kubeheal/api/healing_policy.h"
#include "kubeheal/controllers/policy_translation.h"
#include "kubeheal/detectors/detector.h"
#include "kubeheal/detectors/multivariate_detector.h"
#include "kubeheal/policy/observation.h"
#include "kubeheal/policy/slo_burn_rate.h"
#include "kubeheal/prom/prometheus_client.h"

namespace kubeheal::controllers {

struct PolicyDetectorsOptions {
  // Baseline hold (see PolicyDetectors): the longest a rolling baseline ignores anomalous
  // points is max(min_baseline_hold, hold_for_factor x the signal's `for`); after that the new
  // level is accepted, so a permanent change alarms for a bounded time only.
  std::chrono::seconds min_baseline_hold{std::chrono::minutes(15)};
  double hold_for_factor = 2;
  // Multivariate signals: timestamps waiting for the rest of their vector (warm-up feeds one
  // signal's whole range before the next one's).
  size_t max_pending_vectors = 2048;
};

// The detector instances of one HealingPolicy, one per signal, built from the signals' detector
// names and parameters and fed one point per evaluation. `direction: above|below` is applied
// here: a deviation the other way is reported but is not an anomaly.
//
// Baseline hold. Rolling detectors (zscore, movingAverage, ewma, mad) learn from every point,
// so a sustained fault becomes their new normal within a few points — before `for` has held.
// Here, a point the detector judges out of its band (either side: a traffic dip must not lower
// the baseline, or the return to normal would look like a surge) is assessed but not learned:
// the detector's state is restored to what it was before the point. While held, a point must
// come back to the inner half of the frozen band to count as normal (hysteresis: noise on a
// faulty level does not end the anomaly, nor teach the fault to the baseline). The hold ends
// when a point is normal again (learning resumes) or after the maximum hold
// (PolicyDetectorsOptions), from when on the new level is learned. `maxGap` is applied here, on
// the points fed, so a long hold is not mistaken for a gap in the data. Detectors whose state is
// the point of them (threshold hysteresis, trend, burnRate, isolation forests, the default
// ensemble) are fed as is.
//
// Derived signals, completed by EvaluateDerived after every signal was fed:
// - isolationForest with params.signals: one vector per evaluation, [own value, the named
//   signals' values], fed to a multivariate forest once complete (bounded training window);
// - the SLO (spec.slo): the burn rate from good/total queries per window; a burnRate signal
//   shows it, or, when the policy has none, an added signal "slo" of pattern errors.
// A restart loses the detectors; the reconciler warms them from a range query, and since the
// hold depends only on the points fed, the replay holds the baseline exactly as live feeding did.
//
// Not thread-safe: owned by the reconcile of its policy (never concurrent for one key).
class PolicyDetectors {
 public:
  // Builds the detectors; a signal whose detector cannot be built keeps its error (reported in
  // the signal's status) and is never fed.
  explicit PolicyDetectors(const std::vector<api::SignalSpec>& signals,
                           PolicyDetectorsOptions options = {});
  // The same, with the SLO: `slo_burn_rate_alerts` is spec.slo.burnRateAlerts as stored (the
  // typed SloSpec does not carry it; null = the CRD's default).
  PolicyDetectors(const api::HealingPolicySpec& spec, const nlohmann::json& slo_burn_rate_alerts,
                  PolicyDetectorsOptions options = {});
  ~PolicyDetectors();

  bool Has(const std::string& signal) const;
  std::string BuildError(const std::string& signal) const;
  bool Warmed(const std::string& signal) const;
  void MarkWarmed(const std::string& signal);
  // Feeds one point; points at or before the last fed timestamp are skipped (returns the last
  // assessment), so overlapping warm-up and live queries do not count twice.
  detectors::Assessment Feed(const std::string& signal, double timestamp_seconds, double value);
  // Whether the signal's baseline is on hold (its last point was anomalous and not learned).
  bool BaselineHeld(const std::string& signal) const;

  // Completes the derived signals of the evaluation at `timestamp_seconds` (see the class
  // comment): overwrites their entries in `observation` and `statuses` (matched by name),
  // appending the SLO signal when it is an added one. Queries Prometheus for the SLO windows.
  void EvaluateDerived(prom::PrometheusClient& prometheus, std::chrono::milliseconds timeout,
                       const QueryContext& context, double timestamp_seconds,
                       policy::Observation* observation, std::vector<api::SignalStatus>* statuses);

 private:
  struct Entry;
  struct Slo;
  void Build(const std::vector<api::SignalSpec>& signals, bool has_slo);
  void RecordForVectors(const std::string& signal, double timestamp_seconds, double value);
  policy::SignalObservation EvaluateSlo(prom::PrometheusClient& prometheus,
                                        std::chrono::milliseconds timeout,
                                        const QueryContext& context);

  PolicyDetectorsOptions options_;
  std::map<std::string, std::unique_ptr<Entry>> entries_;
  std::unique_ptr<Slo> slo_;
};

}  // namespace kubeheal::controllers
