#include "kubeheal/detectors/default_ensemble_detector.h"

#include <algorithm>
#include <cmath>

#include "anomaly_likelihood.h"
#include "number_format.h"
#include "rolling_window.h"
#include "sigma_floor.h"

namespace kubeheal::detectors {

DefaultEnsembleDetector::DefaultEnsembleDetector(Config config)
    : StreamingDetector("default", config.max_gap_seconds), config_(config) {
  config_.window = std::max<std::size_t>(config_.window, 3);
  config_.shift_window = std::max<std::size_t>(config_.shift_window, 1);
  config_.history = std::max<std::size_t>(config_.history, 3);
  config_.recent = std::max<std::size_t>(config_.recent, 1);
  config_.season_recent = std::max<std::size_t>(config_.season_recent, 1);
  ResetModel();
}

DefaultEnsembleDetector::~DefaultEnsembleDetector() = default;

void DefaultEnsembleDetector::ResetModel() {
  values_ = std::make_unique<RollingWindow>(config_.window);
  changes_ = std::make_unique<RollingWindow>(config_.window);
  recent_values_ = std::make_unique<RollingWindow>(config_.shift_window);
  level_likelihood_ = std::make_unique<AnomalyLikelihood>(config_.history, config_.recent);
  season_likelihood_ = std::make_unique<AnomalyLikelihood>(config_.history, config_.season_recent);
  season_residuals_ = std::make_unique<RollingWindow>(config_.window);
  season_.clear();
  has_range_ = false;
  min_seen_ = max_seen_ = 0;
  has_previous_ = false;
  previous_ = 0;
  points_since_alarm_ = -1;
}

double DefaultEnsembleDetector::SeasonalScore(double timestamp_seconds, double value) {
  const double season = config_.season_seconds;
  // Keep one season of history; the front is then the last point at or before t - season.
  while (season_.size() >= 2 && season_[1].first <= timestamp_seconds - season) season_.pop_front();
  double score = -1;  // no comparison possible yet
  if (!season_.empty() && season_.front().first <= timestamp_seconds - season &&
      timestamp_seconds - season - season_.front().first <= 0.02 * season) {
    const double residual = value - season_.front().second;
    if (season_residuals_->size() >= config_.min_points) {
      const double sigma = FlooredSigma(season_residuals_->StdDev(), value);
      score = std::abs(residual - season_residuals_->Mean()) / sigma;
    }
    season_residuals_->Push(residual);
  }
  season_.emplace_back(timestamp_seconds, value);
  return score;
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

Assessment DefaultEnsembleDetector::Assess(double timestamp_seconds, double value) {
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

  double likelihood = 0;
  if (warm) {
    likelihood = level_likelihood_->Update(raw, config_.min_points);
    if (config_.season_weight > 0) {
      const double seasonal = SeasonalScore(timestamp_seconds, value);
      if (seasonal >= 0) {
        likelihood = std::max(
            likelihood,
            season_likelihood_->Update(config_.season_weight * seasonal, config_.min_points));
      }
    }
    // A value far outside everything seen so far is news whatever the recent scores say.
    const double range = max_seen_ - min_seen_;
    if (config_.novelty_margin > 0 && has_range_ && range > 0 &&
        (value > max_seen_ + config_.novelty_margin * range ||
         value < min_seen_ - config_.novelty_margin * range)) {
      likelihood = std::max(likelihood, 1.0 - 1e-9);
    }
  }
  if (values_->size() > 0) changes_->Push(value - previous_);
  values_->Push(value);
  recent_values_->Push(value);
  min_seen_ = has_range_ ? std::min(min_seen_, value) : value;
  max_seen_ = has_range_ ? std::max(max_seen_, value) : value;
  has_range_ = true;
  has_previous_ = true;
  previous_ = value;

  // Score: 0.5 at alert_likelihood; the tail is stretched logarithmically because the
  // interesting likelihoods all sit above 0.99.
  const double tail = std::max(1.0 - likelihood, 1e-12);
  const double ratio = std::log(tail) / std::log(std::max(1.0 - config_.alert_likelihood, 1e-12));
  double score = ScoreFromRatio(std::max(0.0, ratio));
  a.anomalous = score >= 0.5;
  if (points_since_alarm_ >= 0) ++points_since_alarm_;
  const bool quiet =
      points_since_alarm_ >= 0 && points_since_alarm_ <= static_cast<long>(config_.quiet_points);
  if (a.anomalous) {
    if (quiet) {
      score = std::min(score, 0.49);
    } else {
      points_since_alarm_ = 0;
    }
  }
  a.score = score;
  a.confidence = std::min(
      1.0, static_cast<double>(values_->size()) / static_cast<double>(values_->capacity()));
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
  values_->Save(out);
  changes_->Save(out);
  recent_values_->Save(out);
  season_residuals_->Save(out);
  level_likelihood_->Save(out);
  season_likelihood_->Save(out);
  out.Integer(static_cast<std::int64_t>(season_.size()));
  for (const auto& [t, v] : season_) {
    out.Number(t);
    out.Number(v);
  }
  out.Integer(has_range_ ? 1 : 0);
  out.Number(min_seen_);
  out.Number(max_seen_);
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
                    Part{"season_residuals", season_residuals_.get()}}) {
    if (Status s = part.window->Load(in, part.name); !s) return s;
  }
  if (Status s = level_likelihood_->Load(in, "level_likelihood"); !s) return s;
  if (Status s = season_likelihood_->Load(in, "season_likelihood"); !s) return s;
  std::int64_t season_points = 0, has_range = 0;
  if (Status s = in.Integer("season points", season_points); !s) return s;
  if (season_points < 0 || season_points > 100'000'000) {
    return Error::Invalid("state: default snapshot has a bad season point count");
  }
  for (std::int64_t i = 0; i < season_points; ++i) {
    double t = 0, v = 0;
    if (Status s = in.Number("season timestamp", t); !s) return s;
    if (Status s = in.Number("season value", v); !s) return s;
    season_.emplace_back(t, v);
  }
  if (Status s = in.Integer("has_range", has_range); !s) return s;
  if (Status s = in.Number("min_seen", min_seen_); !s) return s;
  if (Status s = in.Number("max_seen", max_seen_); !s) return s;
  has_range_ = has_range != 0;
  std::int64_t has_previous = 0, since = 0;
  if (Status s = in.Integer("has_previous", has_previous); !s) return s;
  if (Status s = in.Number("previous", previous_); !s) return s;
  if (Status s = in.Integer("points_since_alarm", since); !s) return s;
  has_previous_ = has_previous != 0;
  points_since_alarm_ = static_cast<long>(since);
  return {};
}

}  // namespace kubeheal::detectors
