#pragma once

#include <cstddef>
#include <vector>

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
    // The band is at least expected +- max(min_deviation, min_relative_deviation * |expected|).
    double min_deviation = 0;
    double min_relative_deviation = 0;
  };
  explicit MadDetector(Config config);

 private:
  Assessment AssessAgainst(const RollingWindow& window, double value) override;

  Config config_;
  std::vector<double> scratch_;  // reused to avoid an allocation per point
};

}  // namespace kubeheal::detectors
