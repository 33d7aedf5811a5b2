#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "kubeheal/detectors/streaming_detector.h"

namespace kubeheal::detectors {

class RollingWindow;

// Base of the detectors that judge a point against the last values before it (zscore,
// movingAverage, mad): keeps that window, resets and snapshots it, and passes the first point,
// which has nothing to be judged against, without a verdict. Confidence grows with the share of
// the window filled.
class RollingWindowDetector : public StreamingDetector {
 public:
  ~RollingWindowDetector() override;

 protected:
  RollingWindowDetector(std::string name, double max_gap_seconds, std::size_t window);

  // Judges `value` against `window`: not empty, `value` not yet in it. Confidence is set after.
  virtual Assessment AssessAgainst(const RollingWindow& window, double value) = 0;

 private:
  Assessment Assess(double timestamp_seconds, double value) final;
  void ResetModel() final;
  void SaveModel(StateWriter& out) const final;
  Status LoadModel(StateReader& in) final;

  std::unique_ptr<RollingWindow> window_;
};

}  // namespace kubeheal::detectors
