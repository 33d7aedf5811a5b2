#pragma once

#include <cstdint>
#include <deque>

#include <Eigen/Core>

#include "kubeheal/common/random.h"
#include "kubeheal/detectors/isolation_forest.h"
#include "kubeheal/detectors/multivariate_detector.h"

namespace kubeheal::detectors {

// Streaming Isolation Forest over feature vectors: keeps the last `training_window` vectors,
// trains once `min_training` are in, and retrains every `retrain_every` points, so the
// model follows slow drift. A point is scored by the model trained before it arrived
// (causal). Randomness comes from a seeded source whose position is part of the snapshot,
// so a restored detector retrains exactly as the original would have.
class IsolationForestDetector final : public MultivariateDetector {
 public:
  struct Config {
    IsolationForest::Config forest;
    std::size_t training_window = 2048;
    std::size_t min_training = 256;
    std::size_t retrain_every = 1024;
    double threshold = 0.6;  // isolation score at which a point is anomalous
    std::uint64_t seed = 42;
    double max_gap_seconds = 0;
  };
  explicit IsolationForestDetector(Config config);

  Assessment Update(double timestamp_seconds, const Eigen::VectorXd& features) override;
  void Reset() override;
  std::string_view Name() const override { return "isolationForest"; }
  std::string SaveState() const override;
  Status LoadState(std::string_view state) override;

  const IsolationForest& forest() const { return forest_; }

 private:
  Assessment Rejected(std::string why) const;
  void Train();

  Config config_;
  IsolationForest forest_;
  SeededRandomSource random_;
  std::deque<Eigen::VectorXd> window_;
  std::size_t since_training_ = 0;
  bool has_last_ = false;
  double last_timestamp_ = 0;
};

}  // namespace kubeheal::detectors
