#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "kubeheal/detectors/streaming_detector.h"

namespace kubeheal::detectors {

// SLO multiwindow, multi-burn-rate alerting (Google SRE Workbook, ch. 5). The input value is
// the error ratio (bad / total events, 0..1) of the interval since the previous point; each
// point weighs as much as that interval. A row fires when both its long and short window
// burn the error budget at least `factor` times faster than the objective allows.
// Details: "burn_rate_<window>" for every window, "budget_remaining" (fraction of the
// period's error budget left, negative when overspent).
class BurnRateDetector final : public StreamingDetector {
 public:
  struct AlertRow {
    std::string long_label, short_label;  // e.g. "1h", "5m" (used in detail names)
    double long_seconds = 0, short_seconds = 0;
    double factor = 1;
    Severity severity = Severity::kCritical;
  };
  struct Config {
    double objective = 0.999;
    double period_seconds = 30 * 86400.0;
    std::vector<AlertRow> rows;  // empty = the Workbook's rows for a 30-day objective
    double max_gap_seconds = 0;
  };
  // The Workbook's rows: 1h/5m 14.4x and 6h/30m 6x page (critical); 3d/6h 1x tickets (warning).
  static std::vector<AlertRow> WorkbookRows();
  // Parses "1h/5m/14.4/critical,6h/30m/6,3d/6h/1/warning" (severity optional, default critical).
  static Result<std::vector<AlertRow>> ParseRows(const std::string& text);

  explicit BurnRateDetector(Config config);

 protected:
  Assessment Assess(double timestamp_seconds, double value) override;
  void ResetModel() override;
  void SaveModel(StateWriter& out) const override;
  Status LoadModel(StateReader& in) override;

 private:
  struct Point {
    double timestamp, bad_seconds, seconds;  // error ratio x interval, interval
  };
  // Running sums over the points newer than now - seconds.
  struct Window {
    double seconds = 0;
    std::int64_t first = 0;  // absolute index of the oldest point inside
    double bad_seconds = 0, total_seconds = 0;
  };
  void Add(double timestamp_seconds, double ratio);
  double BurnRate(const Window& w) const;
  Window& WindowFor(double seconds);

  Config config_;
  std::deque<Point> points_;
  std::int64_t first_index_ = 0;  // absolute index of points_.front()
  std::vector<Window> windows_;   // the period first, then one per distinct row window
  bool has_previous_ = false;
  double previous_timestamp_ = 0;
};

}  // namespace kubeheal::detectors
