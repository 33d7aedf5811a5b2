#pragma once

#include <cstdint>
#include <vector>

#include <Eigen/Core>

#include "kubeheal/common/random.h"
#include "kubeheal/common/result.h"
#include "kubeheal/detectors/state_codec.h"

namespace kubeheal::detectors {

// Isolation Forest (Liu, Ting and Zhou, ICDM 2008): anomalies are isolated by fewer random
// axis-parallel splits than normal points. Each tree is grown on a random subsample of
// `sample_size` rows to depth ceil(log2(sample_size)); a point's score is
// 2^(-E[h(x)] / c(sample_size)), near 1 for anomalies and at or below 0.5 for normal
// points, where h is the path length plus c(n) for the n samples left in the leaf.
// Immutable after Fit, so one trained forest may be scored from several threads.
struct IsolationForestConfig {
  int trees = 100;        // as scikit-learn's n_estimators default
  int sample_size = 256;  // psi, as scikit-learn's max_samples="auto"
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
  // Leaves point to themselves on both sides (threshold +inf), so scoring can walk every
  // tree for a fixed number of steps without branches and interleave several points.
  struct Node {
    double threshold;  // go left when x[feature] < threshold
    std::int32_t feature;
    std::int32_t left;
    std::int32_t right;
  };
  struct Tree {
    std::vector<Node> nodes;
    std::vector<double> leaf_depth;  // per node; for leaves: depth + c(samples in the leaf)
    int height = 0;                  // steps from the root to the deepest leaf
  };

  void Grow(Tree& tree, const Eigen::MatrixXd& samples, std::vector<int>& rows, int begin, int end,
            int depth, int max_depth, RandomSource& random) const;
  static std::int32_t AddLeaf(Tree& tree, int depth, int count);
  double PathLength(const Tree& tree, const double* x, Eigen::Index stride) const;

  // The same trees laid out as complete binary trees in heap order (children of i at 2i+1
  // and 2i+2; shallow leaves padded with always-left nodes down to the full height), so a
  // walk is `height` steps of index arithmetic with no pointers and no branches. Derived
  // after Fit and Load when the height is small enough for the padding to stay cheap.
  // Compiled trees compare in single precision, as scikit-learn does, which halves the
  // memory traffic of a walk.
  struct CompiledNode {
    float threshold;  // go left when x[feature] < threshold
    std::int32_t feature;
  };
  struct CompiledTree {
    std::vector<CompiledNode> nodes;  // 2^height - 1 internal nodes
    std::vector<double> leaf_depth;   // 2^height leaves
  };
  static constexpr int kMaxCompiledHeight = 12;
  void Compile();
  void CompileNode(const Tree& tree, std::int32_t node, std::size_t heap, int depth,
                   CompiledTree& out) const;
  // Rows are scored in blocks stored feature-major: feature f of row k at f * kBlock + k.
  static constexpr int kBlock = 256;
  // Adds the path length of each of the first `count` rows of a block.
  void AddCompiledPathLengths(const float* block, int count, double* totals) const;
  double CompiledPathLength(const float* row) const;  // one row, features contiguous

  Config config_;
  int features_ = 0;
  double normaliser_ = 1;  // c(sample size actually used)
  std::vector<Tree> trees_;
  std::vector<CompiledTree> compiled_;  // empty when not compiled
  int compiled_height_ = 0;
};

}  // namespace kubeheal::detectors
