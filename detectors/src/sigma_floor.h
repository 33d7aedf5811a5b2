#pragma once

#include <algorithm>
#include <cmath>

namespace kubeheal::detectors {

// The smallest spread a detector believes in. A perfectly flat history has sigma 0; dividing
// by it would turn float noise into infinite z-scores, while a real step away from a flat
// line must still alarm. A relative floor of 1e-6 of the level does both.
inline double FlooredSigma(double sigma, double level) {
  return std::max(sigma, 1e-9 + 1e-6 * std::abs(level));
}

}  // namespace kubeheal::detectors
