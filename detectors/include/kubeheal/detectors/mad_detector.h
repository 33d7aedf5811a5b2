#pragma once

#include <cstddef>
#include <memory>
#include <vector>

#include "kubeheal/detectors/streaming_detector.h"

namespace kubeheal::detectors {

class RollingWindow;

// Robust band: median +- k * 1.4826 * MAD of the last `window` points, so a few outliers in
// the history do not widen the band the way they widen a standard deviation.
class MadDetector final : public StreamingDetector {
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
  ~MadDetector() override;

  std::string_view Name() const override { return "mad"; }

 protected:
  Assessment Assess(double timestamp_seconds, double value) override;
  void ResetModel() override;
  void SaveModel(StateWriter& out) const override;
  Status LoadModel(StateReader& in) override;

 private:
  Config config_;
  std::unique_ptr<RollingWindow> window_;
  std::vector<double> scratch_;  // reused to avoid an allocation per point
};

}  // namespace kubeheal::detectors
