#pragma once

#include <cmath>

#include "kubeheal/detectors/assessment.h"
#include "kubeheal/detectors/severity.h"

namespace kubeheal::detectors {

// Draws the band expected +- k * sigma into `a` and, once the detector has history enough to
// judge (`judged`), scores `value` by how many k-sigmas it lies from `expected`: score, severity
// and anomalous, alike for every band detector (zscore, movingAverage, ewma, mad). Returns the
// z-score of `value` for the detector's own explanation; severity stays normal when not judged.
inline double JudgeAgainstBand(Assessment& a, double value, double expected, double sigma, double k,
                               bool judged) {
  a.expected = expected;
  a.low = expected - k * sigma;
  a.high = expected + k * sigma;
  const double z = (value - expected) / sigma;
  if (judged) {
    const double ratio = std::abs(z) / k;
    a.score = ScoreFromRatio(ratio);
    a.severity = SeverityFromRatio(ratio);
    a.anomalous = ratio >= 1.0;
  }
  return z;
}

}  // namespace kubeheal::detectors
