#pragma once

#include <cstdint>

#include "kubeheal/detectors/random_source.h"

namespace kubeheal::detectors {

// SplitMix64: small, fast and fully determined by its seed, so a model trained twice on the
// same window is the same model.
class SeededRandomSource final : public RandomSource {
 public:
  explicit SeededRandomSource(std::uint64_t seed) : state_(seed) {}
  std::uint64_t NextU64() override {
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  std::uint64_t state() const { return state_; }
  void set_state(std::uint64_t state) { state_ = state; }

 private:
  std::uint64_t state_;
};

}  // namespace kubeheal::detectors
