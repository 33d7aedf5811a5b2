#pragma once

#include <vector>

#include "kubeheal/sample_http/random_source.h"

namespace kubeheal::samples::testing {

// Answers the given values in turn, cycling. Single-threaded tests only.
class ScriptedRandom final : public RandomSource {
 public:
  explicit ScriptedRandom(std::vector<double> values) : values_(std::move(values)) {}
  double Uniform() override { return values_[next_++ % values_.size()]; }

 private:
  std::vector<double> values_;
  size_t next_ = 0;
};

}  // namespace kubeheal::samples::testing
