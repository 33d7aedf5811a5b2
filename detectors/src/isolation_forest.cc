#include "kubeheal/detectors/isolation_forest.h"

#include <algorithm>
#include <cmath>
#include <limits>
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
    return Error::Invalid(
        "isolation forest: need at least 2 samples with at least 1 feature, got " +
        std::to_string(samples.rows()) + "x" + std::to_string(samples.cols()));
  }
  if (!samples.allFinite()) return Error::Invalid("isolation forest: training data has NaN or Inf");
  if (config_.trees < 1 || config_.sample_size < 2) {
    return Error::Invalid("isolation forest: trees must be >= 1 and sample_size >= 2");
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
    tree.nodes.reserve(2 * static_cast<std::size_t>(psi));
    tree.leaf_depth.reserve(2 * static_cast<std::size_t>(psi));
    Grow(tree, samples, rows, 0, psi, 0, max_depth, random);
  }
  Compile();
  return {};
}

void IsolationForest::Compile() {
  compiled_.clear();
  compiled_height_ = 0;
  for (const Tree& tree : trees_) compiled_height_ = std::max(compiled_height_, tree.height);
  if (compiled_height_ > kMaxCompiledHeight || features_ > (1 << 20)) return;
  const std::size_t internal = (std::size_t{1} << compiled_height_) - 1;
  compiled_.resize(trees_.size());
  for (std::size_t t = 0; t < trees_.size(); ++t) {
    CompiledTree& c = compiled_[t];
    c.nodes.assign(internal, CompiledNode{std::numeric_limits<float>::infinity(), 0});
    c.leaf_depth.assign(internal + 1, 0.0);
    CompileNode(trees_[t], 0, 0, 0, c);
  }
}

void IsolationForest::CompileNode(const Tree& tree, std::int32_t node, std::size_t heap, int depth,
                                  CompiledTree& out) const {
  const Node& n = tree.nodes[static_cast<std::size_t>(node)];
  const std::size_t internal = out.nodes.size();
  if (n.left == node) {
    // A leaf above the full height: every slot below it, whichever way a walk turns on the
    // +inf pass-through nodes (NaN goes right), ends with this leaf's path length.
    const int below = compiled_height_ - depth;
    const std::size_t first = ((heap + 1) << below) - 1 - internal;
    const std::size_t count = std::size_t{1} << below;
    for (std::size_t i = 0; i < count; ++i) {
      out.leaf_depth[first + i] = tree.leaf_depth[static_cast<std::size_t>(node)];
    }
    return;
  }
  out.nodes[heap] = CompiledNode{static_cast<float>(n.threshold), n.feature};
  CompileNode(tree, n.left, 2 * heap + 1, depth + 1, out);
  CompileNode(tree, n.right, 2 * heap + 2, depth + 1, out);
}

void IsolationForest::AddCompiledPathLengths(const float* block, int count, double* totals) const {
  const std::size_t internal = (std::size_t{1} << compiled_height_) - 1;
  for (const CompiledTree& tree : compiled_) {
    const CompiledNode* nodes = tree.nodes.data();
    const double* leaves = tree.leaf_depth.data();  // leaf at heap position p: p - internal
    // Eight walks in lock step, each in its own register: they are independent, so the CPU
    // overlaps their loads instead of waiting on one chain of node -> value -> child. The
    // feature-major block makes lane k's value sit at a fixed offset k from a shared base.
    int begin = 0;
    for (; begin + 8 <= count; begin += 8) {
      const float* x = block + begin;
      std::size_t a[8] = {};
      for (int step = 0; step < compiled_height_; ++step) {
        // Fully unrolled, so each lane's index stays in a register.
#pragma GCC unroll 8
        for (std::size_t k = 0; k < 8; ++k) {
          const CompiledNode n = nodes[a[k]];
          const float value = x[static_cast<std::size_t>(n.feature) * kBlock + k];
          a[k] = 2 * a[k] + 1 + static_cast<std::size_t>(!(value < n.threshold));
        }
      }
      for (int k = 0; k < 8; ++k) totals[begin + k] += leaves[a[k] - internal];
    }
    for (; begin < count; ++begin) {
      std::size_t a = 0;
      for (int step = 0; step < compiled_height_; ++step) {
        const CompiledNode n = nodes[a];
        a = 2 * a + 1 +
            static_cast<std::size_t>(!(block[static_cast<std::size_t>(n.feature) * kBlock +
                                             static_cast<std::size_t>(begin)] < n.threshold));
      }
      totals[begin] += leaves[a - internal];
    }
  }
}

double IsolationForest::CompiledPathLength(const float* row) const {
  const std::size_t internal = (std::size_t{1} << compiled_height_) - 1;
  double total = 0;
  for (const CompiledTree& tree : compiled_) {
    std::size_t a = 0;
    for (int step = 0; step < compiled_height_; ++step) {
      const CompiledNode n = tree.nodes[a];
      a = 2 * a + 1 + static_cast<std::size_t>(!(row[n.feature] < n.threshold));
    }
    total += tree.leaf_depth[a - internal];
  }
  return total;
}

std::int32_t IsolationForest::AddLeaf(Tree& tree, int depth, int count) {
  const auto index = static_cast<std::int32_t>(tree.nodes.size());
  tree.nodes.push_back(Node{std::numeric_limits<double>::infinity(), 0, index, index});
  tree.leaf_depth.push_back(depth + AveragePathLength(count));
  tree.height = std::max(tree.height, depth);
  return index;
}

void IsolationForest::Grow(Tree& tree, const Eigen::MatrixXd& samples, std::vector<int>& rows,
                           int begin, int end, int depth, int max_depth,
                           RandomSource& random) const {
  const int count = end - begin;
  const std::int32_t index = AddLeaf(tree, depth, count);
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
    double split = lo + random.Uniform01() * (hi - lo);
    if (split <= lo) split = std::nextafter(lo, hi);  // keep both sides non-empty
    auto middle = std::partition(rows.begin() + begin, rows.begin() + end,
                                 [&](int r) { return samples(r, f) < split; });
    const int mid = static_cast<int>(middle - rows.begin());
    const auto node = static_cast<std::size_t>(index);
    tree.nodes[node].feature = f;
    tree.nodes[node].threshold = split;
    tree.leaf_depth[node] = 0;
    tree.nodes[node].left = static_cast<std::int32_t>(tree.nodes.size());
    Grow(tree, samples, rows, begin, mid, depth + 1, max_depth, random);
    tree.nodes[node].right = static_cast<std::int32_t>(tree.nodes.size());
    Grow(tree, samples, rows, mid, end, depth + 1, max_depth, random);
    return;
  }
}

double IsolationForest::PathLength(const Tree& tree, const double* x, Eigen::Index stride) const {
  const Node* nodes = tree.nodes.data();
  std::int32_t i = 0;
  for (int step = 0; step < tree.height; ++step) {
    const Node& node = nodes[i];
    i = x[node.feature * stride] < node.threshold ? node.left : node.right;
  }
  return tree.leaf_depth[static_cast<std::size_t>(i)];
}

double IsolationForest::Score(const double* features) const {
  if (trees_.empty()) return 0.5;
  double total = 0;
  if (!compiled_.empty()) {
    std::vector<float> row(features, features + features_);
    total = CompiledPathLength(row.data());
  } else {
    for (const Tree& tree : trees_) total += PathLength(tree, features, 1);
  }
  return std::exp2(-(total / static_cast<double>(trees_.size())) / normaliser_);
}

Eigen::VectorXd IsolationForest::ScoreSamples(const Eigen::MatrixXd& samples) const {
  const Eigen::Index n = samples.rows();
  Eigen::VectorXd total = Eigen::VectorXd::Zero(n);
  if (trees_.empty() || samples.cols() != features_) return Eigen::VectorXd::Constant(n, 0.5);
  if (!compiled_.empty()) {
    // Blocks of rows copied feature-major stay in L1 while every tree walks them.
    std::vector<float> block(static_cast<std::size_t>(kBlock) *
                             static_cast<std::size_t>(features_));
    for (Eigen::Index begin = 0; begin < n; begin += kBlock) {
      const Eigen::Index count = std::min<Eigen::Index>(kBlock, n - begin);
      for (int f = 0; f < features_; ++f) {
        for (Eigen::Index r = 0; r < count; ++r) {
          block[static_cast<std::size_t>(f) * kBlock + static_cast<std::size_t>(r)] =
              static_cast<float>(samples(begin + r, f));
        }
      }
      AddCompiledPathLengths(block.data(), static_cast<int>(count), total.data() + begin);
    }
  } else {
    const double* data = samples.data();  // column-major: feature f of row r at r + f * n
    for (const Tree& tree : trees_) {
      for (Eigen::Index r = 0; r < n; ++r) total[r] += PathLength(tree, data + r, n);
    }
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
    out.Integer(static_cast<std::int64_t>(tree.nodes.size()));
    for (std::size_t i = 0; i < tree.nodes.size(); ++i) {
      const Node& node = tree.nodes[i];
      const bool leaf = node.left == static_cast<std::int32_t>(i);
      out.Integer(leaf ? -1 : node.feature);
      if (leaf) {
        out.Number(tree.leaf_depth[i]);
      } else {
        out.Number(node.threshold);
        out.Integer(node.right);
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
    return Error::Invalid("state: isolation forest header is out of range");
  }
  std::vector<Tree> trees(static_cast<std::size_t>(tree_count));
  for (Tree& tree : trees) {
    std::int64_t size = 0;
    if (Status s = in.Integer("tree size", size); !s) return s;
    if (size < 1 || size > 10'000'000) {
      return Error::Invalid("state: isolation forest tree size is bad");
    }
    tree.nodes.resize(static_cast<std::size_t>(size));
    tree.leaf_depth.assign(static_cast<std::size_t>(size), 0.0);
    std::vector<int> depth(static_cast<std::size_t>(size), -1);
    depth[0] = 0;
    for (std::int64_t i = 0; i < size; ++i) {
      Node& node = tree.nodes[static_cast<std::size_t>(i)];
      const int node_depth = depth[static_cast<std::size_t>(i)];
      // Children are written after their parent, so every node's depth is known when read.
      if (node_depth < 0)
        return Error::Invalid("state: isolation forest node " + std::to_string(i) +
                              " has no parent");
      std::int64_t feature = 0;
      if (Status s = in.Integer("node feature", feature); !s) return s;
      if (feature >= 0) {
        std::int64_t right = 0;
        if (Status s = in.Number("node threshold", node.threshold); !s) return s;
        if (Status s = in.Integer("node right", right); !s) return s;
        // Children must lie after their parent and inside the tree, so a corrupt snapshot
        // cannot send scoring into a loop or out of bounds.
        if (feature >= features || right <= i + 1 || right >= size || i + 1 >= size) {
          return Error::Invalid("state: isolation forest node " + std::to_string(i) +
                                " is malformed");
        }
        node.feature = static_cast<std::int32_t>(feature);
        node.left = static_cast<std::int32_t>(i + 1);
        node.right = static_cast<std::int32_t>(right);
        depth[static_cast<std::size_t>(i + 1)] = node_depth + 1;
        depth[static_cast<std::size_t>(right)] = node_depth + 1;
      } else {
        if (feature != -1) return Error::Invalid("state: isolation forest node has a bad feature");
        if (Status s = in.Number("leaf depth", tree.leaf_depth[static_cast<std::size_t>(i)]); !s) {
          return s;
        }
        node = Node{std::numeric_limits<double>::infinity(), 0, static_cast<std::int32_t>(i),
                    static_cast<std::int32_t>(i)};
        tree.height = std::max(tree.height, node_depth);
      }
    }
  }
  features_ = static_cast<int>(features);
  normaliser_ = normaliser;
  trees_ = std::move(trees);
  Compile();
  return {};
}

}  // namespace kubeheal::detectors
