#include "kubeheal/detectors/trend_detector.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "number_format.h"

namespace kubeheal::detectors {

TrendDetector::TrendDetector(Config config)
    : StreamingDetector("trend", config.max_gap_seconds), config_(config) {
  config_.window = std::max<std::size_t>(config_.window, 2);
  config_.min_points = std::clamp<std::size_t>(config_.min_points, 2, config_.window);
}

Assessment TrendDetector::Assess(double timestamp_seconds, double value) {
  points_.emplace_back(timestamp_seconds, value);
  if (points_.size() > config_.window) points_.pop_front();

  Assessment a;
  a.expected = value;
  a.low = -std::numeric_limits<double>::infinity();
  a.high = config_.limit;
  const std::size_t n = points_.size();
  a.confidence = std::min(1.0, static_cast<double>(n) / static_cast<double>(config_.window));
  if (n < config_.min_points) return a;

  // Centre on the means so large timestamps do not cancel out in the sums.
  double mean_t = 0, mean_v = 0;
  for (const auto& [t, v] : points_) {
    mean_t += t;
    mean_v += v;
  }
  mean_t /= static_cast<double>(n);
  mean_v /= static_cast<double>(n);
  double stt = 0, stv = 0;
  for (const auto& [t, v] : points_) {
    stt += (t - mean_t) * (t - mean_t);
    stv += (t - mean_t) * (v - mean_v);
  }
  if (stt <= 0) return a;  // all points at one timestamp: no slope to speak of
  const double slope = stv / stt;
  const double fitted_now = mean_v + slope * (timestamp_seconds - mean_t);
  a.expected = fitted_now;

  const double distance = config_.limit - fitted_now;
  double seconds_to_limit = std::numeric_limits<double>::infinity();
  if (distance <= 0 || value >= config_.limit) {
    seconds_to_limit = 0;
  } else if (slope > 0) {
    seconds_to_limit = distance / slope;
  }
  a.details = {{"slope_per_second", slope}, {"seconds_to_limit", seconds_to_limit}};

  const double ratio = seconds_to_limit <= 0 ? std::numeric_limits<double>::infinity()
                                             : config_.horizon_seconds / seconds_to_limit;
  a.score = ScoreFromRatio(ratio);
  a.anomalous = ratio >= 1.0;
  a.severity = SeverityFromRatio(ratio);
  if (a.severity != Severity::kNormal) {
    a.explanation = seconds_to_limit <= 0
                        ? "value " + FormatNumber(value) + " has reached the limit " +
                              FormatNumber(config_.limit)
                        : "value reaches the limit " + FormatNumber(config_.limit) + " in " +
                              FormatDuration(seconds_to_limit) + " (now " + FormatNumber(value) +
                              ", +" + FormatNumber(slope) + "/s over " + std::to_string(n) +
                              " points)";
  }
  return a;
}

void TrendDetector::SaveModel(StateWriter& out) const {
  out.Integer(static_cast<std::int64_t>(points_.size()));
  for (const auto& [t, v] : points_) {
    out.Number(t);
    out.Number(v);
  }
}

Status TrendDetector::LoadModel(StateReader& in) {
  std::int64_t n = 0;
  if (Status s = in.Integer("points", n); !s) return s;
  if (n < 0 || static_cast<std::size_t>(n) > config_.window) {
    return Error::Invalid("state: trend snapshot has more points than the window");
  }
  for (std::int64_t i = 0; i < n; ++i) {
    double t = 0, v = 0;
    if (Status s = in.Number("timestamp", t); !s) return s;
    if (Status s = in.Number("value", v); !s) return s;
    points_.emplace_back(t, v);
  }
  return {};
}

}  // namespace kubeheal::detectors
