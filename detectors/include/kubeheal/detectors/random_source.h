#pragma once

#include <cstdint>

namespace kubeheal::detectors {

// Where a randomised detector (Isolation Forest) gets its randomness, so tests and
// benchmarks can make it reproducible or replace it.
class RandomSource {
 public:
  virtual ~RandomSource() = default;
  virtual std::uint64_t NextU64() = 0;
  // Uniform in [0, 1).
  double NextDouble() { return static_cast<double>(NextU64() >> 11) * 0x1.0p-53; }
  // Uniform in [0, n); n > 0.
  std::uint64_t NextBelow(std::uint64_t n) { return NextU64() % n; }
};

}  // namespace kubeheal::detectors
