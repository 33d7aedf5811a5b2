#include "kubeheal/detectors/rolling_band_detector.h"

#include <algorithm>
#include <cmath>

#include "number_format.h"
#include "rolling_window.h"
#include "sigma_floor.h"

namespace kubeheal::detectors {

RollingBandDetector::RollingBandDetector(Config config)
    : StreamingDetector(config.max_gap_seconds),
      config_(std::move(config)),
      window_(std::make_unique<RollingWindow>(std::max<std::size_t>(config_.window, 2))) {}

RollingBandDetector::~RollingBandDetector() = default;

Assessment RollingBandDetector::Assess(double, double value) {
  Assessment a;
  const std::size_t n = window_->size();
  if (n == 0) {
    a.expected = a.low = a.high = value;
    window_->Push(value);
    return a;
  }
  const double mean = window_->Mean();
  const double k = config_.sensitivity;
  const double sigma = BandSigma(window_->StdDev(), mean, k,
                                 {config_.min_deviation, config_.min_relative_deviation});
  a.expected = mean;
  a.low = mean - k * sigma;
  a.high = mean + k * sigma;
  a.confidence = std::min(1.0, static_cast<double>(n) / static_cast<double>(window_->capacity()));
  if (n >= config_.min_points) {
    const double z = (value - mean) / sigma;
    const double ratio = std::abs(z) / k;
    a.score = ScoreFromRatio(ratio);
    a.severity = SeverityFromRatio(ratio);
    a.anomalous = ratio >= 1.0;
    if (a.severity != Severity::kNormal) {
      a.explanation = "value " + FormatNumber(value) + " is " + FormatNumber(std::abs(z)) + "σ " +
                      (z > 0 ? "above" : "below") + " the " + std::to_string(n) + "-point mean " +
                      FormatNumber(mean) + " (band " + FormatNumber(a.low) + ".." +
                      FormatNumber(a.high) + ")";
    }
  }
  window_->Push(value);
  return a;
}

void RollingBandDetector::ResetModel() { window_->Clear(); }

void RollingBandDetector::SaveModel(StateWriter& out) const { window_->Save(out); }

Status RollingBandDetector::LoadModel(StateReader& in) { return window_->Load(in, "window"); }

}  // namespace kubeheal::detectors
