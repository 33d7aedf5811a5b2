#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <memory>
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

  double Uniform01() override {
    std::lock_guard lock(mu_);
    const double value = values_[next_ % values_.size()];
    ++next_;
    return value;
  }
  // The bits whose top 53 are the next value as a fraction (rounded down to a multiple of
  // 2^-53), for code that draws NextU64() or NextBelow().
  std::uint64_t NextU64() override {
    return static_cast<std::uint64_t>(std::ldexp(Uniform01(), 53)) << 11;
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

// A source that always answers `value` (a test that wants no jitter, or the smallest one).
inline std::shared_ptr<ScriptedRandomSource> FixedRandom(double value) {
  return std::make_shared<ScriptedRandomSource>(std::vector<double>{value});
}

}  // namespace kubeheal
