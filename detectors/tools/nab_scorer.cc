#include "nab_scorer.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <tuple>

namespace kubeheal::detect_cli {
namespace {

constexpr int kOutside = -1;
constexpr int kProbation = -2;

// One row with what it would earn if it were a detection.
struct LabelledRow {
  double anomaly;
  double reward;  // weighted: positive in a window, negative (false positive) outside
  int window;     // global window id, kOutside or kProbation
  int file;
};

struct FileWindows {
  int first_id = 0;
  int count = 0;
};

// Labels the rows of one file following NAB's sweeper: window membership, the reward of a
// detection at each row, and the probationary rows.
void LabelRows(const NabFile& file, int file_index, int& next_window_id, const NabProfile& p,
               std::vector<LabelledRow>& out, FileWindows& windows_of_file) {
  const std::size_t n = file.timestamps.size();
  const std::size_t probation = NabProbationLength(n);
  const double max_tp = NabScaledSigmoid(-1.0);
  // Window limits as row indices [left, right]; windows without rows are dropped.
  std::vector<std::pair<std::size_t, std::size_t>> limits;
  // Linear scans rather than binary search: real NAB files have a clock step back or two.
  for (const auto& [start, end] : file.windows) {
    std::size_t lo = 0;
    while (lo < n && file.timestamps[lo] < start) ++lo;
    std::size_t hi = n;
    while (hi > lo && file.timestamps[hi - 1] > end) --hi;
    if (lo < hi) limits.emplace_back(lo, hi - 1);
  }
  std::sort(limits.begin(), limits.end());
  windows_of_file.first_id = next_window_id;
  windows_of_file.count = 0;

  std::size_t next = 0;
  bool in_window = false;
  bool seen_window = false;
  std::size_t left = 0, right = 0, prev_right = 0, prev_width = 0;
  int window_id = kOutside;
  for (std::size_t i = 0; i < n; ++i) {
    if (!in_window && next < limits.size() && i >= limits[next].first) {
      std::tie(left, right) = limits[next++];
      in_window = true;
      window_id = next_window_id++;
      ++windows_of_file.count;
    }
    LabelledRow row{file.scores[i], 0, kOutside, file_index};
    if (in_window) {
      const double width = static_cast<double>(right - left + 1);
      const double position = -static_cast<double>(right - i + 1) / width;
      row.reward = NabScaledSigmoid(position) * p.tp_weight / max_tp;
      row.window = window_id;
    } else if (!seen_window) {
      row.reward = -p.fp_weight;
    } else {
      const double distance = static_cast<double>(i - prev_right);
      const double denominator = std::max(1.0, static_cast<double>(prev_width) - 1.0);
      row.reward = NabScaledSigmoid(distance / denominator) * p.fp_weight;
    }
    if (i < probation) row.window = kProbation;
    out.push_back(row);
    if (in_window && i == right) {
      in_window = false;
      seen_window = true;
      prev_right = right;
      prev_width = right - left + 1;
    }
  }
}

}  // namespace

std::vector<NabProfile> StandardNabProfiles() {
  return {{"standard", 1.0, 0.11, 1.0},
          {"reward_low_FP_rate", 1.0, 0.22, 1.0},
          {"reward_low_FN_rate", 1.0, 0.11, 2.0}};
}

std::size_t NabProbationLength(std::size_t rows) {
  const double by_share = std::floor(0.15 * static_cast<double>(rows));
  return static_cast<std::size_t>(std::min(by_share, 0.15 * 5000));
}

double NabScaledSigmoid(double x) {
  if (x > 3.0) return -1.0;
  return 2.0 / (1.0 + std::exp(5.0 * x)) - 1.0;
}

NabResult ScoreNabCorpus(const std::vector<NabFile>& files, const NabProfile& profile) {
  std::vector<LabelledRow> rows;
  std::vector<FileWindows> file_windows(files.size());
  int window_count = 0;
  for (std::size_t f = 0; f < files.size(); ++f) {
    LabelRows(files[f], static_cast<int>(f), window_count, profile, rows, file_windows[f]);
  }
  // A window whose rows all fall in the probation cannot be scored; it counts neither way.
  std::vector<bool> scoreable(static_cast<std::size_t>(window_count), false);
  for (const LabelledRow& r : rows) {
    if (r.window >= 0) scoreable[static_cast<std::size_t>(r.window)] = true;
  }
  int scoreable_count = static_cast<int>(std::count(scoreable.begin(), scoreable.end(), true));

  NabResult result;
  result.profile = profile.name;
  result.null_score = -profile.fn_weight * scoreable_count;
  result.perfect_score = profile.tp_weight * scoreable_count;

  // Sweep thresholds from high to low; a window earns its best (earliest) detection.
  std::vector<std::size_t> order(rows.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return rows[a].anomaly > rows[b].anomaly; });
  const double missed = -profile.fn_weight;
  std::vector<double> window_score(static_cast<std::size_t>(window_count), missed);
  double score = result.null_score;
  double best_score = score;
  double best_threshold = std::numeric_limits<double>::infinity();  // never fires
  for (std::size_t k = 0; k < order.size(); ++k) {
    const LabelledRow& r = rows[order[k]];
    if (r.window == kOutside) {
      score += r.reward;
    } else if (r.window >= 0) {
      double& ws = window_score[static_cast<std::size_t>(r.window)];
      if (r.reward > ws) {
        score += r.reward - ws;
        ws = r.reward;
      }
    }
    const bool last_of_threshold = k + 1 == order.size() || rows[order[k + 1]].anomaly != r.anomaly;
    if (last_of_threshold && score > best_score + 1e-12) {
      best_score = score;
      best_threshold = r.anomaly;
    }
  }
  result.threshold = best_threshold;

  // Score each file at the chosen threshold, for the per-file and per-category reports.
  result.files.resize(files.size());
  for (std::size_t f = 0; f < files.size(); ++f) {
    result.files[f].name = files[f].name;
  }
  std::vector<double> best(static_cast<std::size_t>(window_count), missed);
  for (const LabelledRow& r : rows) {
    NabFileResult& fr = result.files[static_cast<std::size_t>(r.file)];
    if (r.anomaly < best_threshold || r.window == kProbation) continue;
    if (r.window == kOutside) {
      fr.raw_score += r.reward;
      ++fr.false_positives;
    } else {
      double& b = best[static_cast<std::size_t>(r.window)];
      b = std::max(b, r.reward);
    }
  }
  for (std::size_t f = 0; f < files.size(); ++f) {
    NabFileResult& fr = result.files[f];
    for (int w = file_windows[f].first_id; w < file_windows[f].first_id + file_windows[f].count;
         ++w) {
      if (!scoreable[static_cast<std::size_t>(w)]) continue;
      ++fr.windows;
      const double b = best[static_cast<std::size_t>(w)];
      fr.raw_score += b;
      if (b > missed) {
        ++fr.true_positives;
      } else {
        ++fr.false_negatives;
      }
    }
    result.raw_score += fr.raw_score;
  }
  const double range = result.perfect_score - result.null_score;
  result.normalized_score = range > 0 ? 100.0 * (result.raw_score - result.null_score) / range : 0;
  return result;
}

}  // namespace kubeheal::detect_cli
