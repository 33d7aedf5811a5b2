#include "kubeheal/detectors/isolation_forest.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace kubeheal::detectors {

double IsolationForest::AveragePathLength(double n) {
  if (n <= 1) return 0;
  if (n <= 2) return 1;
  constexpr double kEulerGamma = 0.5772156649015329;
  return 2.0 * (std::log(n - 1.0) + kEulerGamma) - 2.0 * (n - 1.0) / n;
}

Status IsolationForest::Fit(const Eigen::MatrixXd& samples, RandomSource& random) {
  if (samples.rows() < 2 || samples.cols() < 1) {
    return Error{"isolation forest: need at least 2 samples with at least 1 feature, got " +
                 std::to_string(samples.rows()) + "x" + std::to_string(samples.cols())};
  }
  if (!samples.allFinite()) return Error{"isolation forest: training data has NaN or Inf"};
  if (config_.trees < 1 || config_.sample_size < 2) {
    return Error{"isolation forest: trees must be >= 1 and sample_size >= 2"};
  }
  const int n = static_cast<int>(samples.rows());
  const int psi = std::min(config_.sample_size, n);
  const int max_depth = static_cast<int>(std::ceil(std::log2(static_cast<double>(psi))));
  features_ = static_cast<int>(samples.cols());
  normaliser_ = AveragePathLength(psi);
  trees_.assign(static_cast<std::size_t>(config_.trees), Tree{});

  std::vector<int> all(static_cast<std::size_t>(n));
  std::iota(all.begin(), all.end(), 0);
  std::vector<int> rows(static_cast<std::size_t>(psi));
  for (Tree& tree : trees_) {
    // Partial Fisher-Yates: a subsample without replacement.
    for (int i = 0; i < psi; ++i) {
      int j = i + static_cast<int>(random.NextBelow(static_cast<std::uint64_t>(n - i)));
      std::swap(all[static_cast<std::size_t>(i)], all[static_cast<std::size_t>(j)]);
      rows[static_cast<std::size_t>(i)] = all[static_cast<std::size_t>(i)];
    }
    tree.reserve(static_cast<std::size_t>(2 * psi));
    Grow(tree, samples, rows, 0, psi, 0, max_depth, random);
  }
  return {};
}

void IsolationForest::Grow(Tree& tree, const Eigen::MatrixXd& samples, std::vector<int>& rows,
                           int begin, int end, int depth, int max_depth,
                           RandomSource& random) const {
  const int count = end - begin;
  const std::size_t index = tree.size();
  tree.push_back(Node{0, -1, -1, depth + AveragePathLength(count)});
  if (count <= 1 || depth >= max_depth) return;

  // A random feature that still varies in this node; as in the paper and scikit-learn, a
  // node whose features are all constant becomes a leaf.
  const int first = static_cast<int>(random.NextBelow(static_cast<std::uint64_t>(features_)));
  for (int tried = 0; tried < features_; ++tried) {
    const int f = (first + tried) % features_;
    double lo = samples(rows[static_cast<std::size_t>(begin)], f), hi = lo;
    for (int i = begin + 1; i < end; ++i) {
      const double v = samples(rows[static_cast<std::size_t>(i)], f);
      lo = std::min(lo, v);
      hi = std::max(hi, v);
    }
    if (!(hi > lo)) continue;
    double split = lo + random.NextDouble() * (hi - lo);
    if (split <= lo) split = std::nextafter(lo, hi);  // keep both sides non-empty
    auto middle = std::partition(rows.begin() + begin, rows.begin() + end, [&](int r) {
      return samples(r, f) < split;
    });
    const int mid = static_cast<int>(middle - rows.begin());
    tree[index].feature = f;
    tree[index].threshold = split;
    Grow(tree, samples, rows, begin, mid, depth + 1, max_depth, random);
    tree[index].right = static_cast<std::int32_t>(tree.size());
    Grow(tree, samples, rows, mid, end, depth + 1, max_depth, random);
    return;
  }
}

double IsolationForest::PathLength(const Tree& tree, const double* x, Eigen::Index stride) const {
  const Node* nodes = tree.data();
  std::int32_t i = 0;
  while (nodes[i].feature >= 0) {
    const Node& node = nodes[i];
    i = x[node.feature * stride] < node.threshold ? i + 1 : node.right;
  }
  return nodes[i].leaf_depth;
}

double IsolationForest::Score(const double* features) const {
  if (trees_.empty()) return 0.5;
  double total = 0;
  for (const Tree& tree : trees_) total += PathLength(tree, features, 1);
  return std::exp2(-(total / static_cast<double>(trees_.size())) / normaliser_);
}

Eigen::VectorXd IsolationForest::ScoreSamples(const Eigen::MatrixXd& samples) const {
  const Eigen::Index n = samples.rows();
  Eigen::VectorXd total = Eigen::VectorXd::Zero(n);
  if (trees_.empty() || samples.cols() != features_) return Eigen::VectorXd::Constant(n, 0.5);
  // Column-major: feature f of row r is at data[r + f * n].
  const double* data = samples.data();
  for (const Tree& tree : trees_) {
    for (Eigen::Index r = 0; r < n; ++r) total[r] += PathLength(tree, data + r, n);
  }
  const double scale = -1.0 / (static_cast<double>(trees_.size()) * normaliser_);
  return (total * scale).unaryExpr([](double e) { return std::exp2(e); });
}

void IsolationForest::Save(StateWriter& out) const {
  out.Word("isolation-forest");
  out.Integer(features_);
  out.Number(normaliser_);
  out.Integer(static_cast<std::int64_t>(trees_.size()));
  for (const Tree& tree : trees_) {
    out.Integer(static_cast<std::int64_t>(tree.size()));
    for (const Node& node : tree) {
      out.Integer(node.feature);
      if (node.feature >= 0) {
        out.Number(node.threshold);
        out.Integer(node.right);
      } else {
        out.Number(node.leaf_depth);
      }
    }
  }
}

Status IsolationForest::Load(StateReader& in) {
  if (Status s = in.Expect("isolation-forest"); !s) return s;
  std::int64_t features = 0, tree_count = 0;
  double normaliser = 0;
  if (Status s = in.Integer("features", features); !s) return s;
  if (Status s = in.Number("normaliser", normaliser); !s) return s;
  if (Status s = in.Integer("trees", tree_count); !s) return s;
  if (features < 0 || features > 100000 || tree_count < 0 || tree_count > 100000 ||
      !(normaliser > 0)) {
    return Error{"state: isolation forest header is out of range"};
  }
  std::vector<Tree> trees(static_cast<std::size_t>(tree_count));
  for (Tree& tree : trees) {
    std::int64_t size = 0;
    if (Status s = in.Integer("tree size", size); !s) return s;
    if (size < 1 || size > 10'000'000) return Error{"state: isolation forest tree size is bad"};
    tree.resize(static_cast<std::size_t>(size));
    for (std::int64_t i = 0; i < size; ++i) {
      Node& node = tree[static_cast<std::size_t>(i)];
      std::int64_t feature = 0;
      if (Status s = in.Integer("node feature", feature); !s) return s;
      node.feature = static_cast<std::int32_t>(feature);
      if (feature >= 0) {
        std::int64_t right = 0;
        if (Status s = in.Number("node threshold", node.threshold); !s) return s;
        if (Status s = in.Integer("node right", right); !s) return s;
        // Children must lie after their parent and inside the tree, so a corrupt snapshot
        // cannot send scoring into a loop or out of bounds.
        if (feature >= features || right <= i + 1 || right >= size || i + 1 >= size) {
          return Error{"state: isolation forest node " + std::to_string(i) + " is malformed"};
        }
        node.right = static_cast<std::int32_t>(right);
      } else {
        if (feature != -1) return Error{"state: isolation forest node has a bad feature"};
        if (Status s = in.Number("leaf depth", node.leaf_depth); !s) return s;
      }
    }
  }
  features_ = static_cast<int>(features);
  normaliser_ = normaliser;
  trees_ = std::move(trees);
  return {};
}

}  // namespace kubeheal::detectors
