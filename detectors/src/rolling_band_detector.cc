#include "kubeheal/detectors/rolling_band_detector.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "band_judgement.h"
#include "number_format.h"
#include "rolling_window.h"
#include "sigma_floor.h"

namespace kubeheal::detectors {

RollingBandDetector::RollingBandDetector(Config config)
    : RollingWindowDetector(config.name, config.max_gap_seconds,
                            std::max<std::size_t>(config.window, 2)),
      config_(std::move(config)) {}

Assessment RollingBandDetector::AssessAgainst(const RollingWindow& window, double value) {
  const std::size_t n = window.size();
  const double mean = window.Mean();
  const double k = config_.sensitivity;
  const double sigma = BandSigma(window.StdDev(), mean, k, config_.floor);
  Assessment a;
  const double z = JudgeAgainstBand(a, value, mean, sigma, k, n >= config_.min_points);
  if (a.severity != Severity::kNormal) {
    a.explanation = "value " + FormatNumber(value) + " is " + FormatNumber(std::abs(z)) + "σ " +
                    (z > 0 ? "above" : "below") + " the " + std::to_string(n) + "-point mean " +
                    FormatNumber(mean) + " (band " + FormatNumber(a.low) + ".." +
                    FormatNumber(a.high) + ")";
  }
  return a;
}

}  // namespace kubeheal::detectors
