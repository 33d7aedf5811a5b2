#include "kubeheal/detectors/rolling_window_detector.h"

#include <algorithm>
#include <utility>

#include "rolling_window.h"

namespace kubeheal::detectors {

RollingWindowDetector::RollingWindowDetector(std::string name, double max_gap_seconds,
                                             std::size_t window)
    : StreamingDetector(std::move(name), max_gap_seconds),
      window_(std::make_unique<RollingWindow>(window)) {}

RollingWindowDetector::~RollingWindowDetector() = default;

Assessment RollingWindowDetector::Assess(double, double value) {
  Assessment a;
  if (window_->size() == 0) {
    a.expected = a.low = a.high = value;
  } else {
    a = AssessAgainst(*window_, value);
    a.confidence = std::min(
        1.0, static_cast<double>(window_->size()) / static_cast<double>(window_->capacity()));
  }
  window_->Push(value);
  return a;
}

void RollingWindowDetector::ResetModel() { window_->Clear(); }

void RollingWindowDetector::SaveModel(StateWriter& out) const { window_->Save(out); }

Status RollingWindowDetector::LoadModel(StateReader& in) { return window_->Load(in, "window"); }

}  // namespace kubeheal::detectors
