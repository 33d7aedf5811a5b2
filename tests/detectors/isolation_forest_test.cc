#include "kubeheal/detectors/isolation_forest.h"

#include <gtest/gtest.h>

#include "detector_test_support.h"
#include "kubeheal/detectors/isolation_forest_detector.h"

namespace kubeheal::detectors {
namespace {

using testing::NoiseSeries;

Eigen::MatrixXd Cluster(int rows, std::uint64_t seed = 5) {
  NoiseSeries noise(0, 1, seed);
  Eigen::MatrixXd m(rows, 2);
  for (int r = 0; r < rows; ++r) m.row(r) << noise.Next(), noise.Next();
  return m;
}

TEST(IsolationForestTest, AveragePathLengthFollowsThePaper) {
  EXPECT_EQ(IsolationForest::AveragePathLength(1), 0.0);
  EXPECT_EQ(IsolationForest::AveragePathLength(2), 1.0);
  // 2 H(255) - 2 * 255 / 256 with H(i) ~ ln(i) + Euler's constant.
  EXPECT_NEAR(IsolationForest::AveragePathLength(256), 10.2447709201, 1e-9);
}

TEST(IsolationForestTest, OutliersScoreHighAndTheCentreLow) {
  IsolationForest forest;
  SeededRandomSource random(1);
  ASSERT_TRUE(forest.Fit(Cluster(1000), random).ok());
  const double outlier[] = {6.0, 6.0};
  const double centre[] = {0.0, 0.0};
  EXPECT_GT(forest.Score(outlier), 0.7);
  EXPECT_LT(forest.Score(centre), 0.5);
}

TEST(IsolationForestTest, BatchScoresEqualPointScores) {
  IsolationForest forest({.trees = 10, .sample_size = 64});
  SeededRandomSource random(2);
  ASSERT_TRUE(forest.Fit(Cluster(300), random).ok());
  Eigen::MatrixXd probe = Cluster(50, 9);
  Eigen::VectorXd batch = forest.ScoreSamples(probe);
  for (int r = 0; r < probe.rows(); ++r) {
    Eigen::Vector2d row = probe.row(r).transpose();
    EXPECT_DOUBLE_EQ(batch[r], forest.Score(row.data()));
  }
}

TEST(IsolationForestTest, SameSeedSameModel) {
  IsolationForest a, b;
  SeededRandomSource ra(3), rb(3);
  ASSERT_TRUE(a.Fit(Cluster(500), ra).ok());
  ASSERT_TRUE(b.Fit(Cluster(500), rb).ok());
  StateWriter wa, wb;
  a.Save(wa);
  b.Save(wb);
  EXPECT_EQ(wa.text(), wb.text());
}

TEST(IsolationForestTest, SavedModelLoadsAndScoresIdentically) {
  IsolationForest forest;
  SeededRandomSource random(4);
  ASSERT_TRUE(forest.Fit(Cluster(800), random).ok());
  StateWriter out;
  forest.Save(out);
  IsolationForest loaded;
  StateReader in(out.text());
  ASSERT_TRUE(loaded.Load(in).ok());
  Eigen::MatrixXd probe = Cluster(100, 12);
  EXPECT_EQ(forest.ScoreSamples(probe), loaded.ScoreSamples(probe));
}

TEST(IsolationForestTest, CorruptModelsAreRejected) {
  IsolationForest forest;
  for (const char* text :
       {"isolation-forest 2 1.0 1 3 0 0.5 7 -1 1 -1 1",  // right child out of range
        "isolation-forest 2 1.0 1 3 5 0.5 2 -1 1 -1 1",  // feature out of range
        "isolation-forest 2 1.0 1 3 0 0.5 1 -1 1 -1 1",  // right child = left
        "isolation-forest 2 1.0 1"}) {
    StateReader in(text);
    EXPECT_FALSE(forest.Load(in).ok()) << text;
  }
  StateReader valid("isolation-forest 2 1.0 1 3 0 0.5 2 -1 1 -1 1");
  EXPECT_TRUE(forest.Load(valid).ok());
}

TEST(IsolationForestTest, FitRejectsTooLittleOrNonFiniteData) {
  IsolationForest forest;
  SeededRandomSource random(5);
  EXPECT_FALSE(forest.Fit(Eigen::MatrixXd(1, 2), random).ok());
  Eigen::MatrixXd with_nan = Cluster(10);
  with_nan(3, 1) = NAN;
  EXPECT_FALSE(forest.Fit(with_nan, random).ok());
}

TEST(IsolationForestTest, ConstantDataGivesTheNeutralScore) {
  IsolationForest forest;
  SeededRandomSource random(6);
  ASSERT_TRUE(forest.Fit(Eigen::MatrixXd::Constant(300, 3, 7.0), random).ok());
  const double same[] = {7.0, 7.0, 7.0};
  EXPECT_NEAR(forest.Score(same), 0.5, 1e-12);
}

TEST(IsolationForestDetectorTest, TrainsOnAWindowThenFlagsOutliers) {
  IsolationForestDetector d({.forest = {}, .min_training = 200, .retrain_every = 500});
  NoiseSeries noise(0, 1, 21);
  Assessment before = d.Update(0, Eigen::Vector2d(8, 8));
  EXPECT_FALSE(before.anomalous);  // no model yet
  for (int i = 1; i <= 300; ++i) d.Update(i, Eigen::Vector2d(noise.Next(), noise.Next()));
  ASSERT_TRUE(d.forest().trained());
  Assessment a = d.Update(301, Eigen::Vector2d(8, -8));
  EXPECT_TRUE(a.anomalous);
  EXPECT_NE(a.explanation.find("isolation score"), std::string::npos);
  EXPECT_FALSE(d.Update(302, Eigen::Vector2d(0.1, -0.2)).anomalous);
}

TEST(IsolationForestDetectorTest, WrongSizedOrNonFiniteVectorsAreRejected) {
  IsolationForestDetector d({.forest = {}, .min_training = 10});
  d.Update(0, Eigen::Vector2d(1, 2));
  Assessment wrong = d.Update(1, Eigen::Vector3d(1, 2, 3));
  EXPECT_NE(wrong.explanation.find("expected 2"), std::string::npos);
  Assessment nan = d.Update(2, Eigen::Vector2d(NAN, 1));
  EXPECT_NE(nan.explanation.find("NaN"), std::string::npos);
  Assessment back = d.Update(-1, Eigen::Vector2d(1, 1));
  EXPECT_NE(back.explanation.find("backwards"), std::string::npos);
}

TEST(IsolationForestDetectorTest, SnapshotRestoresModelWindowAndRandomness) {
  IsolationForestDetector a({.forest = {}, .min_training = 50, .retrain_every = 40});
  NoiseSeries noise(0, 1, 22);
  for (int i = 0; i < 120; ++i) a.Update(i, Eigen::Vector2d(noise.Next(), noise.Next()));
  auto made = CreateMultivariateDetector("isolationForest",
                                         {{"min_training", "50"}, {"retrain_every", "40"}});
  ASSERT_TRUE(made.ok());
  MultivariateDetector& b = **made;
  ASSERT_TRUE(b.LoadState(a.SaveState()).ok());
  for (int i = 120; i < 300; ++i) {  // crosses several retrainings
    Eigen::Vector2d v(noise.Next(), noise.Next());
    ASSERT_EQ(a.Update(i, v).score, b.Update(i, v).score) << i;
  }
  EXPECT_FALSE(b.LoadState("kubeheal-detector-state/v1 isolationForest 1").ok());
}

TEST(IsolationForestDetectorTest, FactoryValidatesForestParameters) {
  auto bad = CreateMultivariateDetector("isolationForest", {{"trees", "0"}});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("'trees'"), std::string::npos);
  EXPECT_FALSE(CreateMultivariateDetector("zscore", {}).ok());
}

}  // namespace
}  // namespace kubeheal::detectors
