#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <utility>
#include <vector>

#include "kubeheal/common/random.h"

namespace kubeheal {

// Test-only: Uniform01() answers the given values in [0, 1) in turn, cycling, so which requests
// a fault hits and how much jitter a delay gets are predictable. Thread-safe.
class ScriptedRandomSource final : public RandomSource {
 public:
  explicit ScriptedRandomSource(std::vector<double> values) : values_(std::move(values)) {}

  std::uint64_t NextU64() override {
    std::lock_guard lock(mu_);
    const double value = values_[next_ % values_.size()];
    ++next_;
    // The inverse of Uniform01: the top 53 bits carry the value, exactly for multiples of 2^-53
    // (0.5, 0.25, 0.125, ...); any other value arrives as the nearest multiple below it.
    return static_cast<std::uint64_t>(std::ldexp(value, 53)) << 11;
  }
  std::size_t calls() const {
    std::lock_guard lock(mu_);
    return next_;
  }

 private:
  mutable std::mutex mu_;
  std::vector<double> values_;
  std::size_t next_ = 0;
};

}  // namespace kubeheal
