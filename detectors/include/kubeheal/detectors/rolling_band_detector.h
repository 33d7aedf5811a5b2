#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "kubeheal/detectors/streaming_detector.h"

namespace kubeheal::detectors {

class RollingWindow;

// Mean +- k standard deviations of the last `window` points (the current point excluded).
// Serves two factory names: "zscore" (window 60, sensitivity 3) and "movingAverage"
// (window 20, sensitivity 2.5 by default); they differ only in defaults and wording.
class RollingBandDetector final : public StreamingDetector {
 public:
  struct Config {
    std::string name = "zscore";
    std::size_t window = 60;
    double sensitivity = 3.0;     // k: the band is mean +- k sigma
    std::size_t min_points = 10;  // no alarms before this much history
    double max_gap_seconds = 0;
    // The band is at least expected +- max(min_deviation, min_relative_deviation * |expected|).
    double min_deviation = 0;
    double min_relative_deviation = 0;
  };
  explicit RollingBandDetector(Config config);
  ~RollingBandDetector() override;

  std::string_view Name() const override { return config_.name; }

 protected:
  Assessment Assess(double timestamp_seconds, double value) override;
  void ResetModel() override;
  void SaveModel(StateWriter& out) const override;
  Status LoadModel(StateReader& in) override;

 private:
  Config config_;
  std::unique_ptr<RollingWindow> window_;
};

}  // namespace kubeheal::detectors
