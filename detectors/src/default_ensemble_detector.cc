#include "kubeheal/detectors/default_ensemble_detector.h"

#include <algorithm>
#include <cmath>

#include "number_format.h"
#include "rolling_window.h"
#include "sigma_floor.h"

namespace kubeheal::detectors {

DefaultEnsembleDetector::DefaultEnsembleDetector(Config config)
    : StreamingDetector(config.max_gap_seconds), config_(config) {
  config_.window = std::max<std::size_t>(config_.window, 3);
  config_.shift_window = std::max<std::size_t>(config_.shift_window, 1);
  config_.history = std::max<std::size_t>(config_.history, 3);
  config_.recent = std::max<std::size_t>(config_.recent, 1);
  ResetModel();
}

DefaultEnsembleDetector::~DefaultEnsembleDetector() = default;

void DefaultEnsembleDetector::ResetModel() {
  values_ = std::make_unique<RollingWindow>(config_.window);
  changes_ = std::make_unique<RollingWindow>(config_.window);
  recent_values_ = std::make_unique<RollingWindow>(config_.shift_window);
  raw_history_ = std::make_unique<RollingWindow>(config_.history);
  recent_raw_ = std::make_unique<RollingWindow>(config_.recent);
  has_previous_ = false;
  previous_ = 0;
  points_since_alarm_ = -1;
}

double DefaultEnsembleDetector::RawScore(double value, double& z_level) {
  const double mean = values_->Mean();
  const double sigma = FlooredSigma(values_->StdDev(), mean);
  z_level = (value - mean) / sigma;
  double raw = std::abs(z_level);

  const double change = value - previous_;
  const double change_sigma = FlooredSigma(changes_->StdDev(), mean);
  raw = std::max(raw, config_.change_weight * std::abs(change - changes_->Mean()) / change_sigma);

  // The mean of the last few values (this one included) has a standard error of
  // sigma / sqrt(n): a shift of one sigma that lasts shows up within a few points.
  const double n = static_cast<double>(recent_values_->size() + 1);
  const double recent_mean =
      (recent_values_->Mean() * static_cast<double>(recent_values_->size()) + value) / n;
  raw = std::max(raw, config_.shift_weight * std::abs(recent_mean - mean) / (sigma / std::sqrt(n)));
  return raw;
}

Assessment DefaultEnsembleDetector::Assess(double, double value) {
  Assessment a;
  a.expected = a.low = a.high = value;
  double raw = 0;
  double z_level = 0;
  const bool warm = values_->size() >= config_.min_points;
  if (values_->size() > 0) {
    const double mean = values_->Mean();
    const double sigma = FlooredSigma(values_->StdDev(), mean);
    a.expected = mean;
    a.low = mean - config_.sensitivity * sigma;
    a.high = mean + config_.sensitivity * sigma;
  }
  if (warm) raw = RawScore(value, z_level);

  // Anomaly likelihood: the recent raw scores against their own history.
  double likelihood = 0;
  if (warm) {
    recent_raw_->Push(raw);
    if (raw_history_->size() >= config_.min_points) {
      const double mean = raw_history_->Mean();
      const double sigma = FlooredSigma(raw_history_->StdDev(), mean);
      const double z = (recent_raw_->Mean() - mean) / sigma;
      likelihood = 0.5 * std::erfc(-z / std::sqrt(2.0));
    }
    raw_history_->Push(raw);
  }
  if (values_->size() > 0) changes_->Push(value - previous_);
  values_->Push(value);
  recent_values_->Push(value);
  has_previous_ = true;
  previous_ = value;

  // Score: 0.5 at alert_likelihood; the tail is stretched logarithmically because the
  // interesting likelihoods all sit above 0.99.
  const double tail = std::max(1.0 - likelihood, 1e-12);
  const double ratio = std::log(tail) / std::log(std::max(1.0 - config_.alert_likelihood, 1e-12));
  double score = ScoreFromRatio(std::max(0.0, ratio));
  if (points_since_alarm_ >= 0) ++points_since_alarm_;
  const bool quiet = points_since_alarm_ >= 0 &&
                     points_since_alarm_ <= static_cast<long>(config_.quiet_points);
  if (score >= 0.5) {
    if (quiet) {
      score = std::min(score, 0.49);
    } else {
      points_since_alarm_ = 0;
    }
  }
  a.score = score;
  a.anomalous = score >= 0.5;
  a.confidence = std::min(1.0, static_cast<double>(values_->size()) /
                                   static_cast<double>(values_->capacity()));
  a.severity = a.anomalous ? (ratio >= 2.0 ? Severity::kCritical : Severity::kWarning)
                           : (ratio >= 0.75 ? Severity::kInfo : Severity::kNormal);
  if (a.severity != Severity::kNormal) {
    a.explanation = "value " + FormatNumber(value) + " is " + FormatNumber(std::abs(z_level)) +
                    "σ " + (z_level >= 0 ? "above" : "below") + " the " +
                    std::to_string(values_->size() - 1) + "-point mean " +
                    FormatNumber(a.expected) + "; recent behaviour is unusual with probability " +
                    FormatNumber(likelihood);
  }
  return a;
}

void DefaultEnsembleDetector::SaveModel(StateWriter& out) const {
  out.Numbers(values_->Values());
  out.Numbers(changes_->Values());
  out.Numbers(recent_values_->Values());
  out.Numbers(raw_history_->Values());
  out.Numbers(recent_raw_->Values());
  out.Integer(has_previous_ ? 1 : 0);
  out.Number(previous_);
  out.Integer(points_since_alarm_);
}

Status DefaultEnsembleDetector::LoadModel(StateReader& in) {
  struct Part {
    const char* name;
    RollingWindow* window;
  };
  for (Part part : {Part{"values", values_.get()}, Part{"changes", changes_.get()},
                    Part{"recent_values", recent_values_.get()},
                    Part{"raw_history", raw_history_.get()}, Part{"recent_raw", recent_raw_.get()}}) {
    std::vector<double> values;
    if (Status s = in.Numbers(part.name, values, part.window->capacity()); !s) return s;
    for (double v : values) part.window->Push(v);
  }
  std::int64_t has_previous = 0, since = 0;
  if (Status s = in.Integer("has_previous", has_previous); !s) return s;
  if (Status s = in.Number("previous", previous_); !s) return s;
  if (Status s = in.Integer("points_since_alarm", since); !s) return s;
  has_previous_ = has_previous != 0;
  points_since_alarm_ = static_cast<long>(since);
  return {};
}

}  // namespace kubeheal::detectors
