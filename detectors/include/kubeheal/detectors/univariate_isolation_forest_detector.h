#pragma once

#include "kubeheal/detectors/isolation_forest_detector.h"
#include "kubeheal/detectors/streaming_detector.h"

namespace kubeheal::detectors {

// Isolation Forest on one series: each point becomes the vector (value, change since the
// previous point), so both unusual levels and unusual jumps isolate quickly.
class UnivariateIsolationForestDetector final : public StreamingDetector {
 public:
  explicit UnivariateIsolationForestDetector(IsolationForestDetector::Config config)
      : StreamingDetector("isolationForest", config.max_gap_seconds), inner_(WithoutGap(config)) {}

 protected:
  Assessment Assess(double timestamp_seconds, double value) override;
  void ResetModel() override;
  void SaveModel(StateWriter& out) const override;
  Status LoadModel(StateReader& in) override;

 private:
  static IsolationForestDetector::Config WithoutGap(IsolationForestDetector::Config c) {
    c.max_gap_seconds = 0;  // gaps are handled once, by StreamingDetector
    return c;
  }

  IsolationForestDetector inner_;
  bool has_previous_ = false;
  double previous_ = 0;
};

}  // namespace kubeheal::detectors
