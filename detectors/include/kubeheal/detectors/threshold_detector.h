#pragma once

#include <optional>

#include "kubeheal/detectors/streaming_detector.h"

namespace kubeheal::detectors {

// Static limits with hysteresis: once a value crosses `above`, the alarm holds until the
// value falls to `above - hysteresis` (mirrored for `below`), so a value hovering at the
// limit does not flap.
class ThresholdDetector final : public StreamingDetector {
 public:
  struct Config {
    std::optional<double> above;
    std::optional<double> below;
    double hysteresis = 0;
    Severity severity = Severity::kWarning;
    double max_gap_seconds = 0;
  };
  explicit ThresholdDetector(Config config);

 protected:
  Assessment Assess(double timestamp_seconds, double value) override;
  void ResetModel() override { firing_ = false; }
  void SaveModel(StateWriter& out) const override { out.Integer(firing_ ? 1 : 0); }
  Status LoadModel(StateReader& in) override;

 private:
  Config config_;
  bool firing_ = false;
};

}  // namespace kubeheal::detectors
