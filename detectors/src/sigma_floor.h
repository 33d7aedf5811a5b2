#pragma once

#include <algorithm>
#include <cmath>

#include "kubeheal/detectors/band_floor.h"

namespace kubeheal::detectors {

// The smallest spread a detector believes in. A perfectly flat history has sigma 0; dividing
// by it would turn float noise into infinite z-scores, while a real step away from a flat
// line must still alarm. A floor of 1e-12 of the level (above double rounding, far
// below real variation, even noise of 10 on a 1e12 byte counter) does both.
inline double FlooredSigma(double sigma, double level) {
  return std::max(sigma, 1e-12 + 1e-12 * std::abs(level));
}

// The sigma the band is drawn with: the floored sigma, widened so that k of them reach the
// band floor.
inline double BandSigma(double sigma, double level, double k, const BandFloor& floor) {
  const double half_width =
      std::max(floor.min_deviation, floor.min_relative_deviation * std::abs(level));
  return std::max(FlooredSigma(sigma, level), half_width / k);
}

}  // namespace kubeheal::detectors
