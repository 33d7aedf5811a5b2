#include "kubeheal/detectors/mad_detector.h"

#include <algorithm>
#include <cmath>

#include "number_format.h"
#include "rolling_window.h"
#include "sigma_floor.h"

namespace kubeheal::detectors {
namespace {

double MedianInPlace(std::vector<double>& v) {
  const std::size_t mid = v.size() / 2;
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(mid), v.end());
  double upper = v[mid];
  if (v.size() % 2 == 1) return upper;
  double lower = *std::max_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(mid));
  return 0.5 * (lower + upper);
}

}  // namespace

MadDetector::MadDetector(Config config)
    : StreamingDetector(config.max_gap_seconds),
      config_(config),
      window_(std::make_unique<RollingWindow>(std::max<std::size_t>(config.window, 3))) {}

MadDetector::~MadDetector() = default;

Assessment MadDetector::Assess(double, double value) {
  Assessment a;
  const std::size_t n = window_->size();
  if (n == 0) {
    a.expected = a.low = a.high = value;
    window_->Push(value);
    return a;
  }
  scratch_.clear();
  window_->ForEach([this](double v) { scratch_.push_back(v); });
  const double median = MedianInPlace(scratch_);
  double mean_abs = 0;
  for (double& v : scratch_) {
    v = std::abs(v - median);
    mean_abs += v;
  }
  mean_abs /= static_cast<double>(n);
  const double mad = MedianInPlace(scratch_);
  // When more than half the history sits on one value MAD is 0; the mean absolute deviation
  // (scaled to sigma for a normal distribution) still sees the rest of the spread.
  const double k = config_.sensitivity;
  const double sigma = BandSigma(mad > 0 ? 1.4826 * mad : 1.2533 * mean_abs, median, k,
                                 {config_.min_deviation, config_.min_relative_deviation});
  a.expected = median;
  a.low = median - k * sigma;
  a.high = median + k * sigma;
  a.confidence = std::min(1.0, static_cast<double>(n) / static_cast<double>(window_->capacity()));
  if (n >= config_.min_points) {
    const double z = (value - median) / sigma;
    const double ratio = std::abs(z) / k;
    a.score = ScoreFromRatio(ratio);
    a.severity = SeverityFromRatio(ratio);
    a.anomalous = ratio >= 1.0;
    if (a.severity != Severity::kNormal) {
      a.explanation = "value " + FormatNumber(value) + " is " + FormatNumber(std::abs(z)) +
                      " robust σ " + (z > 0 ? "above" : "below") + " the " + std::to_string(n) +
                      "-point median " + FormatNumber(median);
    }
  }
  window_->Push(value);
  return a;
}

void MadDetector::ResetModel() { window_->Clear(); }

void MadDetector::SaveModel(StateWriter& out) const { window_->Save(out); }

Status MadDetector::LoadModel(StateReader& in) { return window_->Load(in, "window"); }

}  // namespace kubeheal::detectors
