#include "kubeheal/detectors/threshold_detector.h"

#include <limits>

#include "number_format.h"

namespace kubeheal::detectors {

ThresholdDetector::ThresholdDetector(Config config)
    : StreamingDetector("threshold", config.max_gap_seconds), config_(config) {}

Assessment ThresholdDetector::Assess(double, double value) {
  constexpr double kInf = std::numeric_limits<double>::infinity();
  const double h = firing_ ? config_.hysteresis : 0.0;
  const bool too_high = config_.above && value > *config_.above - h;
  const bool too_low = config_.below && value < *config_.below + h;
  firing_ = too_high || too_low;

  Assessment a;
  a.low = config_.below.value_or(-kInf);
  a.high = config_.above.value_or(kInf);
  a.expected = value;
  if (config_.above && config_.below) a.expected = 0.5 * (*config_.above + *config_.below);
  a.confidence = 1.0;  // a static limit needs no history
  a.anomalous = firing_;
  a.score = firing_ ? 1.0 : 0.0;
  a.severity = firing_ ? config_.severity : Severity::kNormal;
  if (too_high) {
    a.explanation =
        "value " + FormatNumber(value) + " is above the limit " + FormatNumber(*config_.above);
  } else if (too_low) {
    a.explanation =
        "value " + FormatNumber(value) + " is below the limit " + FormatNumber(*config_.below);
  }
  return a;
}

Status ThresholdDetector::LoadModel(StateReader& in) {
  std::int64_t firing = 0;
  if (Status s = in.Integer("firing", firing); !s) return s;
  firing_ = firing != 0;
  return {};
}

}  // namespace kubeheal::detectors
