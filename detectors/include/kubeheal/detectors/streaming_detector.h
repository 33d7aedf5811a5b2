#pragma once

#include <string>
#include <string_view>
#include <utility>

#include "kubeheal/detectors/detector.h"
#include "kubeheal/detectors/state_codec.h"

namespace kubeheal::detectors {

// Base of every univariate detector: applies the input rules of Detector (non-finite values,
// backwards timestamps, gaps) in one place, so each detector only sees clean, ordered points.
// `name` is the factory name, fixed for the detector's life; snapshots are tagged with it.
class StreamingDetector : public Detector {
 public:
  StreamingDetector(std::string name, double max_gap_seconds)
      : name_(std::move(name)), max_gap_seconds_(max_gap_seconds) {}

  Assessment Update(double timestamp_seconds, double value) final;
  void Reset() final;
  std::string_view Name() const final { return name_; }
  std::string SaveState() const final;
  Status LoadState(std::string_view state) final;

 protected:
  // Called only with finite values and non-decreasing timestamps.
  virtual Assessment Assess(double timestamp_seconds, double value) = 0;
  virtual void ResetModel() = 0;
  virtual void SaveModel(StateWriter& out) const = 0;
  virtual Status LoadModel(StateReader& in) = 0;

 private:
  Assessment Rejected(std::string why) const;

  std::string name_;
  double max_gap_seconds_;
  bool has_last_ = false;
  double last_timestamp_ = 0;
  Assessment last_accepted_;  // band reported for rejected points
};

}  // namespace kubeheal::detectors
