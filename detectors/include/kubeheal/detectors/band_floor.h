#pragma once

namespace kubeheal::detectors {

// The smallest half-width of the band a user cares about: the band is at least
// expected +- max(min_deviation, min_relative_deviation * |expected|) (parameters of the same
// names; min_deviation in signal units). A p99 of 27 ms learnt from a quiet hour has a sigma of
// a few ms, so 40 ms sits 4 sigma out: real, but nobody throttles for it. With
// min_relative_deviation 1 the band is at least expected +- 100% of it.
struct BandFloor {
  double min_deviation = 0;
  double min_relative_deviation = 0;
};

}  // namespace kubeheal::detectors
