#include "kubeheal/detectors/mad_detector.h"

#include <algorithm>
#include <cmath>

#include "band_judgement.h"
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
    : RollingWindowDetector("mad", config.max_gap_seconds, std::max<std::size_t>(config.window, 3)),
      config_(config) {}

Assessment MadDetector::AssessAgainst(const RollingWindow& window, double value) {
  const std::size_t n = window.size();
  scratch_.clear();
  window.ForEach([this](double v) { scratch_.push_back(v); });
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
  const double sigma =
      BandSigma(mad > 0 ? 1.4826 * mad : 1.2533 * mean_abs, median, k, config_.floor);
  Assessment a;
  const double z = JudgeAgainstBand(a, value, median, sigma, k, n >= config_.min_points);
  if (a.severity != Severity::kNormal) {
    a.explanation = "value " + FormatNumber(value) + " is " + FormatNumber(std::abs(z)) +
                    " robust σ " + (z > 0 ? "above" : "below") + " the " + std::to_string(n) +
                    "-point median " + FormatNumber(median);
  }
  return a;
}

}  // namespace kubeheal::detectors
