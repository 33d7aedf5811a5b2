#pragma once

#include <cstddef>
#include <vector>

#include "kubeheal/detectors/band_floor.h"
#include "kubeheal/detectors/rolling_window_detector.h"

namespace kubeheal::detectors {

// Robust band: median +- k * 1.4826 * MAD of the last `window` points, so a few outliers in
// the history do not widen the band the way they widen a standard deviation.
class MadDetector final : public RollingWindowDetector {
 public:
  struct Config {
    std::size_t window = 60;
    double sensitivity = 3.5;  // in robust sigmas (1.4826 * MAD)
    std::size_t min_points = 10;
    double max_gap_seconds = 0;
    BandFloor floor{};  // the narrowest band a user cares about
  };
  explicit MadDetector(Config config);

 private:
  Assessment AssessAgainst(const RollingWindow& window, double value) override;

  Config config_;
  std::vector<double> scratch_;  // reused to avoid an allocation per point
};

}  // namespace kubeheal::detectors
