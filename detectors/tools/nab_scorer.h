#pragma once
// The Numenta Anomaly Benchmark scoring rules, written from the published description
// (Lavin and Ahmad 2015, and the NAB README): windows, a 15% probationary period, a scaled
// sigmoid reward for early detection, per-profile weights, one threshold for the whole corpus
// found by sweeping, and normalisation so that a detector that never fires scores 0 and a
// perfect one 100.

#include <string>
#include <utility>
#include <vector>

namespace kubeheal::detect_cli {

struct NabProfile {
  std::string name;
  double tp_weight = 1, fp_weight = 0.11, fn_weight = 1;
};
std::vector<NabProfile> StandardNabProfiles();  // standard, reward_low_FP_rate, reward_low_FN_rate

struct NabFile {
  std::string name;                                // "<category>/<file>.csv"
  std::vector<double> timestamps;                  // in file order
  std::vector<double> scores;                      // anomaly scores in [0,1]
  std::vector<std::pair<double, double>> windows;  // [start, end] timestamps, inclusive
};

struct NabFileResult {
  std::string name;
  double raw_score = 0;
  int true_positives = 0;   // windows detected
  int false_negatives = 0;  // windows missed
  int false_positives = 0;  // detections outside windows (after the probation)
  int windows = 0;
};

struct NabResult {
  std::string profile;
  double threshold = 0;  // detections are scores >= threshold
  double raw_score = 0;
  double null_score = 0;        // never fires
  double perfect_score = 0;     // fires on the first point of every window
  double normalized_score = 0;  // 100 * (raw - null) / (perfect - null)
  std::vector<NabFileResult> files;
};

// Number of leading rows not scored: min(floor(0.15 n), 0.15 * 5000), as in NAB.
std::size_t NabProbationLength(std::size_t rows);
// 2 / (1 + exp(5 x)) - 1, and -1 beyond x > 3: the reward or penalty of a detection at
// relative position x (window-width units; -1 is a window's first point, 0 just after it).
double NabScaledSigmoid(double x);

// Chooses the threshold that maximises the corpus score under `profile` and scores every file
// with it.
NabResult ScoreNabCorpus(const std::vector<NabFile>& files, const NabProfile& profile);

}  // namespace kubeheal::detect_cli
