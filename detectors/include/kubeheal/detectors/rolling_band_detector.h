#pragma once

#include <cstddef>
#include <string>

#include "kubeheal/detectors/band_floor.h"
#include "kubeheal/detectors/rolling_window_detector.h"

namespace kubeheal::detectors {

// Mean +- k standard deviations of the last `window` points (the current point excluded).
// Serves two factory names: "zscore" (window 60, sensitivity 3) and "movingAverage"
// (window 20, sensitivity 2.5 by default); they differ only in defaults and wording.
class RollingBandDetector final : public RollingWindowDetector {
 public:
  struct Config {
    std::string name = "zscore";
    std::size_t window = 60;
    double sensitivity = 3.0;     // k: the band is mean +- k sigma
    std::size_t min_points = 10;  // no alarms before this much history
    double max_gap_seconds = 0;
    BandFloor floor{};  // the narrowest band a user cares about
  };
  explicit RollingBandDetector(Config config);

 private:
  Assessment AssessAgainst(const RollingWindow& window, double value) override;

  Config config_;
};

}  // namespace kubeheal::detectors
