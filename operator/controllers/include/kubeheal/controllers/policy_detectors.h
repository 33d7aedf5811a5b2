#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "kubeheal/api/healing_policy.h"
#include "kubeheal/detectors/detector.h"

namespace kubeheal::controllers {

// The detector instances of one HealingPolicy, one per signal, built from the signals' detector
// names and parameters and fed one point per evaluation. `direction: above|below` is applied
// here: a deviation the other way is reported but is not an anomaly.
// Not thread-safe: owned by the reconcile of its policy (never concurrent for one key).
class PolicyDetectors {
 public:
  // Builds the detectors; a signal whose detector cannot be built keeps its error (reported in
  // the signal's status) and is never fed.
  explicit PolicyDetectors(const std::vector<api::SignalSpec>& signals);

  bool Has(const std::string& signal) const;
  std::string BuildError(const std::string& signal) const;
  bool Warmed(const std::string& signal) const;
  void MarkWarmed(const std::string& signal);
  // Feeds one point; points at or before the last fed timestamp are skipped (returns the last
  // assessment), so overlapping warm-up and live queries do not count twice.
  detectors::Assessment Feed(const std::string& signal, double timestamp_seconds, double value);

 private:
  struct Entry {
    std::unique_ptr<detectors::Detector> detector;
    std::string direction = "both";
    std::string error;
    bool warmed = false;
    double last_timestamp = -1;
    detectors::Assessment last;
  };
  std::map<std::string, Entry> entries_;
};

}  // namespace kubeheal::controllers
