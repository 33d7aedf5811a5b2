#include "kubeheal/detectors/detector_factory.h"

#include <functional>
#include <limits>

#include "kubeheal/detectors/burn_rate_detector.h"
#include "kubeheal/detectors/default_ensemble_detector.h"
#include "kubeheal/detectors/ewma_detector.h"
#include "kubeheal/detectors/isolation_forest_detector.h"
#include "kubeheal/detectors/mad_detector.h"
#include "kubeheal/detectors/rolling_band_detector.h"
#include "kubeheal/detectors/threshold_detector.h"
#include "kubeheal/detectors/trend_detector.h"
#include "kubeheal/detectors/univariate_isolation_forest_detector.h"
#include "param_reader.h"

namespace kubeheal::detectors {
namespace {

constexpr double kHuge = std::numeric_limits<double>::max();
constexpr long kMaxWindow = 1'000'000;
using Built = std::unique_ptr<Detector>;

// min_deviation (signal units) and min_relative_deviation (of the expected level, up to 100x).
BandFloor ReadBandFloor(ParamReader& p) {
  BandFloor floor;
  floor.min_deviation = p.Number("min_deviation", 0, 0, kHuge);
  floor.min_relative_deviation = p.Number("min_relative_deviation", 0, 0, 100);
  return floor;
}

RollingBandDetector::Config BandConfig(ParamReader& p, std::string name, long window,
                                       double sensitivity) {
  RollingBandDetector::Config c;
  c.name = std::move(name);
  c.window = static_cast<std::size_t>(p.Integer("window", window, 2, kMaxWindow));
  c.sensitivity = p.PositiveNumber("sensitivity", sensitivity, 1000);
  c.min_points = static_cast<std::size_t>(
      p.Integer("min_points", std::min<long>(10, static_cast<long>(c.window)), 2, kMaxWindow));
  c.floor = ReadBandFloor(p);
  return c;
}

IsolationForestDetector::Config ForestConfig(ParamReader& p) {
  IsolationForestDetector::Config c;
  c.forest.trees = static_cast<int>(p.Integer("trees", 100, 1, 10000));
  c.forest.sample_size = static_cast<int>(p.Integer("sample_size", 256, 2, 1 << 20));
  c.training_window = static_cast<std::size_t>(p.Integer("training_window", 2048, 2, kMaxWindow));
  c.min_training = static_cast<std::size_t>(
      p.Integer("min_training", 256, 2, static_cast<long>(c.training_window)));
  c.retrain_every = static_cast<std::size_t>(p.Integer("retrain_every", 1024, 1, kMaxWindow));
  c.threshold = p.Number("threshold", 0.6, 0.5, 1.0);
  c.seed = static_cast<std::uint64_t>(p.Integer("seed", 42, 0, std::numeric_limits<long>::max()));
  c.max_gap_seconds = p.Duration("max_gap", 0);
  return c;
}

Built BuildDetector(const std::string& name, ParamReader& p) {
  const double max_gap = p.Duration("max_gap", 0);
  if (name == "zscore" || name == "movingAverage") {
    auto c = name == "zscore" ? BandConfig(p, name, 60, 3.0) : BandConfig(p, name, 20, 2.5);
    c.max_gap_seconds = max_gap;
    return std::make_unique<RollingBandDetector>(c);
  }
  if (name == "ewma") {
    EwmaDetector::Config c;
    c.alpha = p.Number("alpha", 0.1, 1e-6, 1.0);
    c.sensitivity = p.PositiveNumber("sensitivity", 3.0, 1000);
    c.min_points = p.Integer("min_points", 10, 1, kMaxWindow);
    c.max_gap_seconds = max_gap;
    c.floor = ReadBandFloor(p);
    return std::make_unique<EwmaDetector>(c);
  }
  if (name == "mad") {
    MadDetector::Config c;
    c.window = static_cast<std::size_t>(p.Integer("window", 60, 3, 100000));
    c.sensitivity = p.PositiveNumber("sensitivity", 3.5, 1000);
    c.min_points = static_cast<std::size_t>(
        p.Integer("min_points", std::min<long>(10, static_cast<long>(c.window)), 2, 100000));
    c.max_gap_seconds = max_gap;
    c.floor = ReadBandFloor(p);
    return std::make_unique<MadDetector>(c);
  }
  if (name == "threshold") {
    ThresholdDetector::Config c;
    if (p.Has("above")) c.above = p.Number("above", 0, -kHuge, kHuge);
    if (p.Has("below")) c.below = p.Number("below", 0, -kHuge, kHuge);
    c.hysteresis = p.Number("hysteresis", 0, 0, kHuge);
    const std::string severity = p.Text("severity", "warning");
    if (auto s = ParseSeverity(severity); s && *s != Severity::kNormal) {
      c.severity = *s;
    } else {
      p.Fail("severity", "must be info, warning or critical, got '" + severity + "'");
    }
    if (!c.above && !c.below) p.Fail("above", "or 'below' is required");
    if (c.above && c.below && *c.below >= *c.above) p.Fail("below", "must be less than 'above'");
    c.max_gap_seconds = max_gap;
    return std::make_unique<ThresholdDetector>(c);
  }
  if (name == "trend") {
    TrendDetector::Config c;
    if (!p.Has("limit")) p.Fail("limit", "is required (the value that means exhaustion)");
    c.limit = p.Number("limit", 0, -kHuge, kHuge);
    c.window = static_cast<std::size_t>(p.Integer("window", 30, 2, 100000));
    c.min_points = static_cast<std::size_t>(
        p.Integer("min_points", std::min<long>(5, static_cast<long>(c.window)), 2,
                  static_cast<long>(c.window)));
    c.horizon_seconds = p.Duration("horizon", 3600);
    if (!(c.horizon_seconds > 0)) p.Fail("horizon", "must be above 0");
    c.max_gap_seconds = max_gap;
    return std::make_unique<TrendDetector>(c);
  }
  if (name == "burnRate") {
    BurnRateDetector::Config c;
    c.objective = p.Number("objective", 0.999, 0, 1);
    if (!(c.objective > 0 && c.objective < 1))
      p.Fail("objective", "must be strictly between 0 and 1");
    c.period_seconds = p.Duration("period", 30 * 86400.0);
    if (!(c.period_seconds > 0)) p.Fail("period", "must be above 0");
    if (p.Has("windows")) {
      auto rows = BurnRateDetector::ParseRows(p.Text("windows", ""));
      if (rows.ok()) {
        c.rows = rows.value();
      } else {
        p.Fail("windows", "is invalid: " + rows.error().message);
      }
    }
    c.max_gap_seconds = max_gap;
    return std::make_unique<BurnRateDetector>(c);
  }
  if (name == "isolationForest") {
    return std::make_unique<UnivariateIsolationForestDetector>(ForestConfig(p));
  }
  if (name == "default") {
    DefaultEnsembleDetector::Config c;
    auto size = [&p](const char* key, std::size_t fallback, long min) {
      return static_cast<std::size_t>(p.Integer(key, static_cast<long>(fallback), min, kMaxWindow));
    };
    c.window = size("window", c.window, 3);
    c.shift_window = size("shift_window", c.shift_window, 1);
    c.history = size("history", c.history, 3);
    c.recent = size("recent", c.recent, 1);
    c.season_recent = size("season_recent", c.season_recent, 1);
    c.min_points = size("min_points", c.min_points, 2);
    c.quiet_points = size("quiet_points", c.quiet_points, 0);
    c.sensitivity = p.PositiveNumber("sensitivity", c.sensitivity, 1000);
    c.change_weight = p.Number("change_weight", c.change_weight, 0, 100);
    c.shift_weight = p.Number("shift_weight", c.shift_weight, 0, 100);
    c.season_weight = p.Number("season_weight", c.season_weight, 0, 100);
    c.season_seconds = p.Duration("season", c.season_seconds);
    if (!(c.season_seconds > 0)) p.Fail("season", "must be above 0");
    c.novelty_margin = p.Number("novelty_margin", c.novelty_margin, 0, 100);
    c.alert_likelihood = p.Number("alert_likelihood", c.alert_likelihood, 0.5, 1.0 - 1e-12);
    c.max_gap_seconds = max_gap;
    return std::make_unique<DefaultEnsembleDetector>(c);
  }
  return nullptr;
}

}  // namespace

std::vector<std::string> DetectorNames() {
  return {"threshold",       "zscore",   "ewma",  "movingAverage", "mad",
          "isolationForest", "burnRate", "trend", "default"};
}

Result<std::unique_ptr<Detector>> CreateDetector(const std::string& name,
                                                 const DetectorParams& params) {
  ParamReader reader(name, params);
  Built detector = BuildDetector(name, reader);
  if (!detector) {
    std::string known;
    for (const std::string& n : DetectorNames()) known += (known.empty() ? "" : ", ") + n;
    return Error::Invalid("unknown detector '" + name + "' (known: " + known + ")");
  }
  if (Status s = reader.Finish(); !s) return s.error();
  return detector;
}

Result<std::unique_ptr<MultivariateDetector>> CreateMultivariateDetector(
    const std::string& name, const DetectorParams& params) {
  if (name != "isolationForest") {
    return Error::Invalid("unknown multivariate detector '" + name + "' (known: isolationForest)");
  }
  ParamReader reader(name, params);
  auto config = ForestConfig(reader);
  if (Status s = reader.Finish(); !s) return s.error();
  return std::unique_ptr<MultivariateDetector>(std::make_unique<IsolationForestDetector>(config));
}

}  // namespace kubeheal::detectors
