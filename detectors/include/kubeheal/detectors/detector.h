#pragma once

#include <string>
#include <string_view>

#include "kubeheal/common/result.h"
#include "kubeheal/detectors/assessment.h"

namespace kubeheal::detectors {

// A streaming, causal detector of one series: the assessment of a point uses only that
// point and earlier ones. Not thread-safe: one owner thread feeds it (the operator keeps one
// detector per signal and series).
//
// Input rules shared by every detector (see StreamingDetector):
// - NaN or +-Inf values and NaN timestamps are rejected: state unchanged, score 0,
//   confidence 0, explanation says why.
// - A timestamp before the last accepted one is rejected the same way; equal is accepted.
// - A gap longer than the "max_gap" parameter (seconds; 0 = never) resets the history first.
class Detector {
 public:
  virtual ~Detector() = default;

  virtual Assessment Update(double timestamp_seconds, double value) = 0;
  // Forgets all history, as if newly created with the same parameters.
  virtual void Reset() = 0;
  virtual std::string_view Name() const = 0;

  // A text snapshot of the learned state (not the parameters), so the operator can persist
  // baselines across restarts; LoadState accepts only a snapshot of the same detector kind.
  virtual std::string SaveState() const = 0;
  virtual Status LoadState(std::string_view state) = 0;
};

}  // namespace kubeheal::detectors
