#include "kubeheal/detectors/burn_rate_detector.h"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "number_format.h"
#include "param_reader.h"

namespace kubeheal::detectors {

std::vector<BurnRateDetector::AlertRow> BurnRateDetector::WorkbookRows() {
  return {{"1h", "5m", 3600, 300, 14.4, Severity::kCritical},
          {"6h", "30m", 21600, 1800, 6, Severity::kCritical},
          {"3d", "6h", 259200, 21600, 1, Severity::kWarning}};
}

Result<std::vector<BurnRateDetector::AlertRow>> BurnRateDetector::ParseRows(
    const std::string& text) {
  std::vector<AlertRow> rows;
  std::stringstream rows_in(text);
  std::string row_text;
  while (std::getline(rows_in, row_text, ',')) {
    std::vector<std::string> parts;
    std::stringstream parts_in(row_text);
    for (std::string part; std::getline(parts_in, part, '/');) parts.push_back(part);
    AlertRow row;
    const std::string where = "alert row '" + row_text + "'";
    if (parts.size() < 3 || parts.size() > 4) {
      return Error::Invalid(where +
                            " must be long/short/factor[/severity], e.g. 1h/5m/14.4/critical");
    }
    row.long_label = parts[0];
    row.short_label = parts[1];
    if (!ParseDurationSeconds(parts[0], row.long_seconds) || row.long_seconds <= 0 ||
        !ParseDurationSeconds(parts[1], row.short_seconds) || row.short_seconds <= 0) {
      return Error::Invalid(where + ": windows must be positive durations like 5m, 1h, 3d");
    }
    if (row.short_seconds > row.long_seconds) {
      return Error::Invalid(where + ": the short window is longer than the long one");
    }
    double factor = 0;
    if (!ParseDurationSeconds(parts[2], factor) || !(factor > 0) ||
        parts[2].find_first_of("smhd") != std::string::npos) {
      return Error::Invalid(where + ": factor must be a number above 0, got '" + parts[2] + "'");
    }
    row.factor = factor;
    if (parts.size() == 4) {
      auto severity = ParseSeverity(parts[3]);
      if (!severity || *severity == Severity::kNormal) {
        return Error::Invalid(where + ": severity must be info, warning or critical");
      }
      row.severity = *severity;
    }
    rows.push_back(row);
  }
  if (rows.empty()) return Error::Invalid("no alert rows in '" + text + "'");
  return rows;
}

BurnRateDetector::BurnRateDetector(Config config)
    : StreamingDetector("burnRate", config.max_gap_seconds), config_(std::move(config)) {
  if (config_.rows.empty()) config_.rows = WorkbookRows();
  ResetModel();
}

void BurnRateDetector::ResetModel() {
  points_.clear();
  first_index_ = 0;
  has_previous_ = false;
  previous_timestamp_ = 0;
  windows_.clear();
  windows_.push_back(Window{config_.period_seconds});
  for (const AlertRow& row : config_.rows) {
    for (double s : {row.long_seconds, row.short_seconds}) {
      if (std::none_of(windows_.begin(), windows_.end(),
                       [s](const Window& w) { return w.seconds == s; })) {
        windows_.push_back(Window{s});
      }
    }
  }
}

BurnRateDetector::Window& BurnRateDetector::WindowFor(double seconds) {
  return *std::find_if(windows_.begin(), windows_.end(),
                       [seconds](const Window& w) { return w.seconds == seconds; });
}

void BurnRateDetector::Add(double timestamp_seconds, double ratio) {
  // The first point has no known interval; it counts from the second point on.
  const double dt = has_previous_ ? timestamp_seconds - previous_timestamp_ : 0.0;
  has_previous_ = true;
  previous_timestamp_ = timestamp_seconds;
  points_.push_back(Point{timestamp_seconds, ratio * dt, dt});
  double longest = 0;
  for (Window& w : windows_) {
    w.bad_seconds += ratio * dt;
    w.total_seconds += dt;
    const std::int64_t end = first_index_ + static_cast<std::int64_t>(points_.size());
    // A point stands for the interval ending at its timestamp; it leaves the window once
    // that timestamp is no longer inside (now - seconds, now].
    while (w.first < end) {
      const Point& p = points_[static_cast<std::size_t>(w.first - first_index_)];
      if (p.timestamp > timestamp_seconds - w.seconds) break;
      w.bad_seconds -= p.bad_seconds;
      w.total_seconds -= p.seconds;
      ++w.first;
    }
    longest = std::max(longest, w.seconds);
  }
  std::int64_t keep_from = windows_.front().first;
  for (const Window& w : windows_) keep_from = std::min(keep_from, w.first);
  while (first_index_ < keep_from) {
    points_.pop_front();
    ++first_index_;
  }
}

double BurnRateDetector::BurnRate(const Window& w) const {
  if (w.total_seconds <= 0) return 0;
  const double error_ratio = std::max(0.0, w.bad_seconds) / w.total_seconds;
  return error_ratio / (1.0 - config_.objective);
}

Assessment BurnRateDetector::Assess(double timestamp_seconds, double value) {
  const double ratio = std::clamp(value, 0.0, 1.0);
  Add(timestamp_seconds, ratio);

  const double allowed = 1.0 - config_.objective;
  Assessment a;
  a.expected = allowed;
  a.low = 0;
  double smallest_factor = config_.rows.front().factor;
  for (const AlertRow& row : config_.rows) smallest_factor = std::min(smallest_factor, row.factor);
  a.high = allowed * smallest_factor;

  const Window& period = windows_.front();
  const double budget_remaining =
      1.0 - std::max(0.0, period.bad_seconds) / (allowed * config_.period_seconds);
  double worst_ratio = 0;
  const AlertRow* firing = nullptr;
  double covered_needed = 0;
  for (const AlertRow& row : config_.rows) {
    const double burn_long = BurnRate(WindowFor(row.long_seconds));
    const double burn_short = BurnRate(WindowFor(row.short_seconds));
    const double row_ratio = std::min(burn_long, burn_short) / row.factor;
    if (row_ratio >= 1.0 && (firing == nullptr || row.severity > firing->severity)) firing = &row;
    worst_ratio = std::max(worst_ratio, row_ratio);
    covered_needed = std::max(covered_needed, row.long_seconds);
  }
  for (const Window& w : windows_) {
    std::string label = FormatDuration(w.seconds);
    for (const AlertRow& row : config_.rows) {
      if (row.long_seconds == w.seconds) label = row.long_label;
      if (row.short_seconds == w.seconds) label = row.short_label;
    }
    if (&w != &period) a.details.push_back({"burn_rate_" + label, BurnRate(w)});
  }
  a.details.push_back({"budget_remaining", budget_remaining});
  const double covered = points_.empty() ? 0 : timestamp_seconds - points_.front().timestamp;
  a.confidence = covered_needed > 0 ? std::min(1.0, covered / covered_needed) : 1.0;
  a.score = ScoreFromRatio(worst_ratio);
  a.anomalous = firing != nullptr;
  a.severity =
      firing ? firing->severity : (worst_ratio >= 0.75 ? Severity::kInfo : Severity::kNormal);
  if (firing) {
    a.explanation = "error budget burning " +
                    FormatNumber(BurnRate(WindowFor(firing->long_seconds))) + "x over " +
                    firing->long_label + " and " +
                    FormatNumber(BurnRate(WindowFor(firing->short_seconds))) + "x over " +
                    firing->short_label + " (alert at " + FormatNumber(firing->factor) + "x); " +
                    FormatNumber(100 * budget_remaining) + "% of the budget left";
  } else if (a.severity != Severity::kNormal) {
    a.explanation = "error budget burn close to an alert; " + FormatNumber(100 * budget_remaining) +
                    "% of the budget left";
  }
  return a;
}

void BurnRateDetector::SaveModel(StateWriter& out) const {
  out.Integer(has_previous_ ? 1 : 0);
  out.Number(previous_timestamp_);
  out.Integer(first_index_);
  out.Integer(static_cast<std::int64_t>(points_.size()));
  for (const Point& p : points_) {
    out.Number(p.timestamp);
    out.Number(p.bad_seconds);
    out.Number(p.seconds);
  }
  // The running sums as they are, so a restored detector computes bit-identical burn rates.
  out.Integer(static_cast<std::int64_t>(windows_.size()));
  for (const Window& w : windows_) {
    out.Number(w.seconds);
    out.Integer(w.first);
    out.Number(w.bad_seconds);
    out.Number(w.total_seconds);
  }
}

Status BurnRateDetector::LoadModel(StateReader& in) {
  std::int64_t has_previous = 0, first_index = 0, n = 0, window_count = 0;
  double previous = 0;
  if (Status s = in.Integer("has_previous", has_previous); !s) return s;
  if (Status s = in.Number("previous_timestamp", previous); !s) return s;
  if (Status s = in.Integer("first_index", first_index); !s) return s;
  if (Status s = in.Integer("points", n); !s) return s;
  if (first_index < 0 || n < 0 || n > 100'000'000) {
    return Error::Invalid("state: burnRate snapshot has a bad point count");
  }
  std::deque<Point> points;
  for (std::int64_t i = 0; i < n; ++i) {
    Point p{};
    if (Status s = in.Number("timestamp", p.timestamp); !s) return s;
    if (Status s = in.Number("bad_seconds", p.bad_seconds); !s) return s;
    if (Status s = in.Number("seconds", p.seconds); !s) return s;
    points.push_back(p);
  }
  if (Status s = in.Integer("windows", window_count); !s) return s;
  // The windows follow from the configuration; the snapshot must describe the same ones.
  if (window_count != static_cast<std::int64_t>(windows_.size())) {
    return Error::Invalid("state: burnRate snapshot was taken with different windows");
  }
  std::vector<Window> windows = windows_;
  for (Window& w : windows) {
    double seconds = 0;
    if (Status s = in.Number("window seconds", seconds); !s) return s;
    if (Status s = in.Integer("window first", w.first); !s) return s;
    if (Status s = in.Number("window bad_seconds", w.bad_seconds); !s) return s;
    if (Status s = in.Number("window total_seconds", w.total_seconds); !s) return s;
    if (seconds != w.seconds || w.first < first_index || w.first > first_index + n) {
      return Error::Invalid("state: burnRate snapshot window does not match the configuration");
    }
  }
  has_previous_ = has_previous != 0;
  previous_timestamp_ = previous;
  first_index_ = first_index;
  points_ = std::move(points);
  windows_ = std::move(windows);
  return {};
}

}  // namespace kubeheal::detectors
