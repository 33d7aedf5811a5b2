#include "nab_scorer.h"

#include <gtest/gtest.h>

namespace kubeheal::detect_cli {
namespace {

// 200 rows at t = 0..199 s; probation is floor(0.15 * 200) = 30 rows; one window over rows
// 100..104. Long enough that firing on every row is worse than never firing.
NabFile FileWithScores(std::vector<std::pair<int, double>> fired) {
  NabFile f;
  f.name = "cat/file.csv";
  for (int i = 0; i < 200; ++i) {
    f.timestamps.push_back(i);
    f.scores.push_back(0.0);
  }
  for (auto [row, score] : fired) f.scores[static_cast<std::size_t>(row)] = score;
  f.windows = {{100.0, 104.0}};
  return f;
}

const NabProfile kStandard{"standard", 1.0, 0.11, 1.0};

TEST(NabScorerTest, ProbationIsFifteenPercentCappedAt750Rows) {
  EXPECT_EQ(NabProbationLength(20), 3u);
  EXPECT_EQ(NabProbationLength(100), 15u);
  EXPECT_EQ(NabProbationLength(10000), 750u);
}

TEST(NabScorerTest, ScaledSigmoidMatchesThePublishedCurve) {
  EXPECT_NEAR(NabScaledSigmoid(-1.0), 0.98661429815, 1e-9);
  EXPECT_NEAR(NabScaledSigmoid(0.0), 0.0, 1e-12);
  EXPECT_NEAR(NabScaledSigmoid(0.75), -0.95404525, 1e-7);
  EXPECT_EQ(NabScaledSigmoid(3.5), -1.0);
}

TEST(NabScorerTest, DetectionAtTheFirstRowOfTheWindowIsPerfect) {
  NabResult r = ScoreNabCorpus({FileWithScores({{100, 1.0}})}, kStandard);
  EXPECT_DOUBLE_EQ(r.null_score, -1.0);
  EXPECT_DOUBLE_EQ(r.perfect_score, 1.0);
  EXPECT_NEAR(r.raw_score, 1.0, 1e-12);
  EXPECT_NEAR(r.normalized_score, 100.0, 1e-9);
  EXPECT_EQ(r.threshold, 1.0);
  EXPECT_EQ(r.files[0].true_positives, 1);
}

TEST(NabScorerTest, LaterDetectionEarnsTheScaledSigmoidOfItsPosition) {
  // Row 102: position -(104 - 102 + 1) / 5 = -0.6 -> (2 / (1 + e^-3) - 1) / 0.98661 = 0.91743.
  NabResult r = ScoreNabCorpus({FileWithScores({{102, 1.0}})}, kStandard);
  EXPECT_NEAR(r.raw_score, 0.9174286804, 1e-9);
  EXPECT_NEAR(r.normalized_score, 95.87143402, 1e-6);
}

TEST(NabScorerTest, OnlyTheEarliestDetectionInAWindowCounts) {
  NabResult r = ScoreNabCorpus({FileWithScores({{102, 1.0}, {103, 1.0}, {104, 1.0}})}, kStandard);
  EXPECT_NEAR(r.raw_score, 0.9174286804, 1e-9);
}

TEST(NabScorerTest, FalsePositiveAfterAWindowIsScaledByItsDistance) {
  // Row 107: distance (107 - 104) / (5 - 1) = 0.75 -> 0.11 * (2 / (1 + e^3.75) - 1) = -0.104945.
  NabResult r = ScoreNabCorpus({FileWithScores({{102, 1.0}, {107, 1.0}})}, kStandard);
  EXPECT_NEAR(r.raw_score, 0.9174286804 - 0.1049449786, 1e-9);
  EXPECT_NEAR(r.normalized_score, 90.62418509, 1e-6);
  EXPECT_EQ(r.files[0].false_positives, 1);
}

TEST(NabScorerTest, FalsePositiveBeforeAnyWindowCostsTheFullWeight) {
  NabResult r = ScoreNabCorpus({FileWithScores({{50, 1.0}, {100, 1.0}})}, kStandard);
  EXPECT_NEAR(r.raw_score, 1.0 - 0.11, 1e-12);
  EXPECT_NEAR(r.normalized_score, 94.5, 1e-9);
}

TEST(NabScorerTest, SweepPicksTheThresholdThatExcludesACostlyFalsePositive) {
  NabResult r = ScoreNabCorpus({FileWithScores({{100, 1.0}, {50, 0.9}})}, kStandard);
  EXPECT_EQ(r.threshold, 1.0);
  EXPECT_NEAR(r.raw_score, 1.0, 1e-12);
}

TEST(NabScorerTest, ProbationaryDetectionsAreIgnored) {
  NabResult r = ScoreNabCorpus({FileWithScores({{10, 1.0}})}, kStandard);
  EXPECT_NEAR(r.normalized_score, 0.0, 1e-12);
  EXPECT_EQ(r.files[0].false_positives, 0);
}

TEST(NabScorerTest, NeverFiringScoresZeroUnderEveryProfile) {
  for (const NabProfile& p : StandardNabProfiles()) {
    NabResult r = ScoreNabCorpus({FileWithScores({})}, p);
    EXPECT_NEAR(r.normalized_score, 0.0, 1e-12) << p.name;
    EXPECT_DOUBLE_EQ(r.null_score, -p.fn_weight);
  }
}

TEST(NabScorerTest, RewardLowFalseNegativeProfileDoublesTheMissCost) {
  NabProfile low_fn{"reward_low_FN_rate", 1.0, 0.11, 2.0};
  NabResult r = ScoreNabCorpus({FileWithScores({{100, 1.0}})}, low_fn);
  EXPECT_DOUBLE_EQ(r.null_score, -2.0);
  EXPECT_NEAR(r.normalized_score, 100.0, 1e-9);
}

TEST(NabScorerTest, OneThresholdServesTheWholeCorpus) {
  // File A detects its window at 0.6; file B has a false positive at 0.8 before its window.
  NabFile a = FileWithScores({{100, 0.6}});
  NabFile b = FileWithScores({{50, 0.8}});
  b.name = "cat/other.csv";
  NabResult r = ScoreNabCorpus({a, b}, kStandard);
  // Threshold 0.6 catches both: 1 - 0.11 - 1 (B's window missed); 0.8 alone: -0.11 - 2.
  EXPECT_EQ(r.threshold, 0.6);
  EXPECT_NEAR(r.raw_score, -0.11, 1e-12);
  EXPECT_NEAR(r.normalized_score, 100.0 * (-0.11 + 2.0) / 4.0, 1e-9);
}

}  // namespace
}  // namespace kubeheal::detect_cli
