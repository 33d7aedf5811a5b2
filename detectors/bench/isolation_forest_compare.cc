// Our side of the Isolation Forest comparison with scikit-learn: writes a labelled data set
// (so the Python side scores exactly the same rows), fits and scores it single-threaded with
// the same trees and subsample size, and prints the best-of-N CPU time and the ROC AUC.
//   isolation_forest_compare OUT.csv [rows] [features] [repeats]
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <numeric>
#include <string>
#include <vector>

#include "kubeheal/common/random.h"
#include "kubeheal/detectors/isolation_forest.h"

namespace {

using kubeheal::SeededRandomSource;
using kubeheal::detectors::IsolationForest;

double Gaussian(SeededRandomSource& r) {
  const double u1 = std::max(r.Uniform01(), 1e-300), u2 = r.Uniform01();
  return std::sqrt(-2 * std::log(u1)) * std::cos(6.283185307179586 * u2);
}

// Rank-based ROC AUC (Mann-Whitney U), ties counted half.
double RocAuc(const Eigen::VectorXd& scores, const std::vector<int>& labels) {
  auto score = [&](std::size_t i) { return scores[static_cast<Eigen::Index>(i)]; };
  std::vector<std::size_t> order(labels.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](auto a, auto b) { return score(a) < score(b); });
  double rank_sum = 0, positives = 0;
  for (std::size_t i = 0; i < order.size();) {
    std::size_t j = i;
    while (j < order.size() && score(order[j]) == score(order[i])) ++j;
    const double mid_rank = 0.5 * static_cast<double>(i + j - 1) + 1;
    for (std::size_t k = i; k < j; ++k) {
      if (labels[order[k]]) {
        rank_sum += mid_rank;
        positives += 1;
      }
    }
    i = j;
  }
  const double negatives = static_cast<double>(labels.size()) - positives;
  return (rank_sum - positives * (positives + 1) / 2) / (positives * negatives);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s OUT.csv [rows] [features] [repeats]\n", argv[0]);
    return 2;
  }
  const int rows = argc > 2 ? std::atoi(argv[2]) : 100000;
  const int features = argc > 3 ? std::atoi(argv[3]) : 4;
  const int repeats = argc > 4 ? std::atoi(argv[4]) : 3;

  // Two Gaussian clusters of normal behaviour, 2% uniform outliers around them.
  SeededRandomSource random(2024);
  Eigen::MatrixXd data(rows, features);
  std::vector<int> labels(static_cast<std::size_t>(rows));
  for (int r = 0; r < rows; ++r) {
    const bool outlier = random.Uniform01() < 0.02;
    const double centre = random.Uniform01() < 0.5 ? -2.0 : 2.0;
    labels[static_cast<std::size_t>(r)] = outlier;
    for (int f = 0; f < features; ++f) {
      data(r, f) = outlier ? -8 + 16 * random.Uniform01() : centre + Gaussian(random);
    }
  }
  std::FILE* out = std::fopen(argv[1], "w");
  if (!out) {
    std::fprintf(stderr, "%s: cannot open for writing\n", argv[1]);
    return 1;
  }
  for (int r = 0; r < rows; ++r) {
    for (int f = 0; f < features; ++f) std::fprintf(out, "%.17g,", data(r, f));
    std::fprintf(out, "%d\n", labels[static_cast<std::size_t>(r)]);
  }
  std::fclose(out);

  double best = 1e300, best_fit = 1e300, auc = 0;
  for (int i = 0; i < repeats; ++i) {
    SeededRandomSource forest_random(static_cast<std::uint64_t>(i + 1));
    // CPU time of this process: the machine is shared, and wall time would charge us for
    // other people's work. The Python side measures the same way.
    const std::clock_t start = std::clock();
    IsolationForest forest({.trees = 100, .sample_size = 256});
    if (auto s = forest.Fit(data, forest_random); !s) {
      std::fprintf(stderr, "fit failed: %s\n", s.error().message.c_str());
      return 1;
    }
    best_fit = std::min(best_fit, static_cast<double>(std::clock() - start) / CLOCKS_PER_SEC);
    const Eigen::VectorXd scores = forest.ScoreSamples(data);
    const double seconds = static_cast<double>(std::clock() - start) / CLOCKS_PER_SEC;
    best = std::min(best, seconds);
    auc = RocAuc(scores, labels);  // varies a little with the seed; the last run is reported
  }
  std::printf(
      "kubeheal rows=%d features=%d trees=100 sample_size=256 fit+score=%.6f s "
      "(fit %.6f s) auc=%.4f\n",
      rows, features, best, best_fit, auc);
  return 0;
}
