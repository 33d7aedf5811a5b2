#pragma once

#include <cstddef>
#include <deque>
#include <memory>
#include <utility>

#include "kubeheal/detectors/streaming_detector.h"

namespace kubeheal::detectors {

class RollingWindow;
class AnomalyLikelihood;

// The detector the operator uses when a policy names none ("default"). It is tuned on the
// NAB corpus by category (see detectors/README.md) and combines, per point:
//   - how far the value is from the long-window mean (level anomalies, spikes),
//   - how unusual the change from the previous point is (jumps),
//   - how far the short-window mean has moved (level shifts the spike test is slow to see),
//   - how far the value is from the one a season (a day) earlier (broken daily patterns);
// then turns the strongest of the first three, and the fourth on its own, into "anomaly
// likelihoods": how unusual the recent raw scores are against their own long history, so a noisy
// series does not alarm all the time and scores mean the same on every series; a value beyond the
// whole range seen so far counts as news outright. After an alarm, the score of further alarms is
// damped below 0.5 for `quiet_points` points (one incident, one page), while `anomalous` keeps
// saying whether each point is out of line, so a policy's `for` duration still sees a lasting
// anomaly. Defaults were chosen on the NAB corpus by category (detectors/README.md).
class DefaultEnsembleDetector final : public StreamingDetector {
 public:
  struct Config {
    std::size_t window = 400;       // long window of values and changes
    std::size_t shift_window = 8;   // short window for level shifts
    std::size_t history = 5000;     // raw-score history for the likelihood
    std::size_t recent = 4;         // raw scores averaged into the likelihood
    std::size_t season_recent = 8;  // the same for the seasonal channel (smoother)
    std::size_t min_points = 300;   // warm-up (about a day of 5-minute samples)
    double sensitivity = 3.0;       // k for the reported band, mean +- k sigma
    double change_weight = 1.0;
    double shift_weight = 1.0;
    double season_seconds = 86400;  // compare with the value one season ago
    double season_weight = 1.0;
    double novelty_margin = 0.05;      // 0 = off; beyond the range seen by this share of it
    double alert_likelihood = 0.9999;  // likelihood at which the score reaches 0.5
    std::size_t quiet_points = 100;    // alarms damped this many points after one
    double max_gap_seconds = 0;
  };
  explicit DefaultEnsembleDetector(Config config);
  ~DefaultEnsembleDetector() override;

 protected:
  Assessment Assess(double timestamp_seconds, double value) override;
  void ResetModel() override;
  void SaveModel(StateWriter& out) const override;
  Status LoadModel(StateReader& in) override;

 private:
  double RawScore(double value, double& z_level);
  // |z| of the change from a season ago, or -1 while there is no such history yet.
  double SeasonalScore(double timestamp_seconds, double value);

  Config config_;
  std::unique_ptr<RollingWindow> values_;
  std::unique_ptr<RollingWindow> changes_;
  std::unique_ptr<RollingWindow> recent_values_;
  // Level, change and shift share one likelihood; the seasonal comparison has its own, so a
  // series whose level moves a lot (a daily cycle) does not drown a broken cycle.
  std::unique_ptr<AnomalyLikelihood> level_likelihood_;
  std::unique_ptr<AnomalyLikelihood> season_likelihood_;
  std::unique_ptr<RollingWindow> season_residuals_;
  std::deque<std::pair<double, double>> season_;  // (timestamp, value) of the last season
  bool has_range_ = false;
  double min_seen_ = 0, max_seen_ = 0;
  bool has_previous_ = false;
  double previous_ = 0;
  long points_since_alarm_ = -1;  // -1: no alarm yet
};

}  // namespace kubeheal::detectors
