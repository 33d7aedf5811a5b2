#pragma once

#include <string>
#include <vector>

#include "kubeheal/detectors/severity.h"

namespace kubeheal::detectors {

// A named figure a detector adds beyond the common fields, e.g. "burn_rate_1h" or
// "seconds_to_limit".
struct Detail {
  std::string name;
  double value = 0;
};

// What a detector thinks of one point, using only that point and the points before it.
struct Assessment {
  double score = 0;     // anomaly score in [0,1]; 0.5 is the detector's own alert threshold
  double expected = 0;  // the value the detector expected
  double low = 0;       // expected band; a value outside it is anomalous
  double high = 0;
  Severity severity = Severity::kNormal;
  double confidence = 0;  // [0,1]: how much history backs this judgement
  bool anomalous = false;
  // One line a human can read. Filled whenever severity is not normal (and for rejected
  // points); left empty for normal points so the hot path does not format numbers.
  std::string explanation;
  std::vector<Detail> details;
};

}  // namespace kubeheal::detectors
