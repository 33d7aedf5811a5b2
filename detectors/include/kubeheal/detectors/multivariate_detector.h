#pragma once

#include <string>
#include <string_view>

#include <Eigen/Core>

#include "kubeheal/common/result.h"
#include "kubeheal/detectors/assessment.h"

namespace kubeheal::detectors {

// A streaming, causal detector over a feature vector (one value per signal). Not
// thread-safe. Vectors with a non-finite entry or of the wrong size are rejected (score 0,
// confidence 0, explanation says why); so are timestamps that go backwards.
class MultivariateDetector {
 public:
  virtual ~MultivariateDetector() = default;

  virtual Assessment Update(double timestamp_seconds, const Eigen::VectorXd& features) = 0;
  virtual void Reset() = 0;
  virtual std::string_view Name() const = 0;
  virtual std::string SaveState() const = 0;
  virtual Status LoadState(std::string_view state) = 0;
};

}  // namespace kubeheal::detectors
