#pragma once

#include <cmath>
#include <cstddef>
#include <string_view>

#include "rolling_window.h"
#include "sigma_floor.h"

namespace kubeheal::detectors {

// How unusual the last few raw scores are against the long history of the same raw score:
// the Gaussian tail probability of their mean (after Numenta's anomaly likelihood). Scores
// of different scales become comparable probabilities.
class AnomalyLikelihood {
 public:
  AnomalyLikelihood(std::size_t history, std::size_t recent) : history_(history), recent_(recent) {}

  // Feeds one raw score; returns the likelihood in [0,1], 0 until `min_history` scores exist.
  double Update(double raw, std::size_t min_history) {
    recent_.Push(raw);
    double likelihood = 0;
    if (history_.size() >= min_history) {
      const double mean = history_.Mean();
      const double sigma = FlooredSigma(history_.StdDev(), mean);
      const double z = (recent_.Mean() - mean) / sigma;
      likelihood = 0.5 * std::erfc(-z / std::sqrt(2.0));
    }
    history_.Push(raw);
    return likelihood;
  }

  void Clear() {
    history_.Clear();
    recent_.Clear();
  }
  void Save(StateWriter& out) const {
    history_.Save(out);
    recent_.Save(out);
  }
  Status Load(StateReader& in, std::string_view field) {
    if (Status s = history_.Load(in, field); !s) return s;
    return recent_.Load(in, field);
  }

 private:
  RollingWindow history_;
  RollingWindow recent_;
};

}  // namespace kubeheal::detectors
