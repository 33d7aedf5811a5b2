#pragma once

#include <Eigen/Core>
#include <cstdint>
#include <vector>

#include "kubeheal/detectors/random_source.h"
#include "kubeheal/detectors/result.h"
#include "kubeheal/detectors/state_codec.h"

namespace kubeheal::detectors {

// Isolation Forest (Liu, Ting and Zhou, ICDM 2008): anomalies are isolated by fewer random
// axis-parallel splits than normal points. Each tree is grown on a random subsample of
// `sample_size` rows to depth ceil(log2(sample_size)); a point's score is
// 2^(-E[h(x)] / c(sample_size)), near 1 for anomalies and at or below 0.5 for normal
// points, where h is the path length plus c(n) for the n samples left in the leaf.
// Immutable after Fit, so one trained forest may be scored from several threads.
struct IsolationForestConfig {
  int trees = 100;         // as scikit-learn's n_estimators default
  int sample_size = 256;   // psi, as scikit-learn's max_samples="auto"
};

class IsolationForest {
 public:
  using Config = IsolationForestConfig;
  explicit IsolationForest(Config config = Config{}) : config_(config) {}

  // Trains on `samples` (one row per sample, one column per feature); needs >= 2 rows.
  Status Fit(const Eigen::MatrixXd& samples, RandomSource& random);
  bool trained() const { return !trees_.empty(); }
  int features() const { return features_; }

  double Score(const double* features) const;  // `features()` values
  // One score per row; faster than row by row (trees stay in cache).
  Eigen::VectorXd ScoreSamples(const Eigen::MatrixXd& samples) const;

  void Save(StateWriter& out) const;
  Status Load(StateReader& in);

  // c(n): the average path length of an unsuccessful search in a binary search tree of n
  // points, used to normalise path lengths.
  static double AveragePathLength(double n);

 private:
  struct Node {
    double threshold;  // go left when x[feature] < threshold
    std::int32_t feature;  // -1 for a leaf
    std::int32_t right;    // index of the right child; the left child follows the node
    double leaf_depth;     // for a leaf: depth + c(samples in the leaf)
  };
  using Tree = std::vector<Node>;

  void Grow(Tree& tree, const Eigen::MatrixXd& samples, std::vector<int>& rows, int begin,
            int end, int depth, int max_depth, RandomSource& random) const;
  double PathLength(const Tree& tree, const double* x, Eigen::Index stride) const;

  Config config_;
  int features_ = 0;
  double normaliser_ = 1;  // c(sample size actually used)
  std::vector<Tree> trees_;
};

}  // namespace kubeheal::detectors
