#pragma once

#include <string>

#include "kubeheal/detectors/band_floor.h"
#include "kubeheal/detectors/streaming_detector.h"

namespace kubeheal::detectors {

// Exponentially weighted mean and variance (West's incremental form); the point is judged
// against the estimates before it is folded in. O(1) time and memory per point.
class EwmaDetector final : public StreamingDetector {
 public:
  struct Config {
    double alpha = 0.1;        // weight of the newest point, (0, 1]
    double sensitivity = 3.0;  // band is mean +- k sigma
    long min_points = 10;      // no alarms before this much history
    double max_gap_seconds = 0;
    BandFloor floor{};  // the narrowest band a user cares about
  };
  explicit EwmaDetector(Config config);

 protected:
  Assessment Assess(double timestamp_seconds, double value) override;
  void ResetModel() override;
  void SaveModel(StateWriter& out) const override;
  Status LoadModel(StateReader& in) override;

 private:
  Config config_;
  long count_ = 0;
  double mean_ = 0;
  double variance_ = 0;
};

}  // namespace kubeheal::detectors
