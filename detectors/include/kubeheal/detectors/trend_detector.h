#pragma once

#include <cstddef>
#include <deque>
#include <utility>

#include "kubeheal/detectors/streaming_detector.h"

namespace kubeheal::detectors {

// Time to exhaustion: a least-squares line through the last `window` points, extended to
// `limit` ("memory reaches the limit in 7 min"). Alarms when the limit is less than
// `horizon` away; critical under half of it. For slow leaks that no band detector sees.
// Details: "slope_per_second", "seconds_to_limit" (infinite when moving away).
class TrendDetector final : public StreamingDetector {
 public:
  struct Config {
    double limit = 0;
    std::size_t window = 30;
    std::size_t min_points = 5;
    double horizon_seconds = 3600;
    double max_gap_seconds = 0;
  };
  explicit TrendDetector(Config config);

 protected:
  Assessment Assess(double timestamp_seconds, double value) override;
  void ResetModel() override { points_.clear(); }
  void SaveModel(StateWriter& out) const override;
  Status LoadModel(StateReader& in) override;

 private:
  Config config_;
  std::deque<std::pair<double, double>> points_;  // (timestamp, value), oldest first
};

}  // namespace kubeheal::detectors
