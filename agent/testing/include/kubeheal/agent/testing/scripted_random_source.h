#pragma once

#include <cstddef>
#include <vector>

#include "kubeheal/agent/random_source.h"

namespace kubeheal::agent::testing {

// Returns the given values in turn (cycling), so percent selection and jitter are predictable.
class ScriptedRandomSource final : public RandomSource {
 public:
  explicit ScriptedRandomSource(std::vector<double> values) : values_(std::move(values)) {}
  double uniform01() override {
    const double value = values_[next_ % values_.size()];
    ++next_;
    return value;
  }
  std::size_t calls() const { return next_; }

 private:
  std::vector<double> values_;
  std::size_t next_ = 0;
};

}  // namespace kubeheal::agent::testing
