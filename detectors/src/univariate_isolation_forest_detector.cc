#include "kubeheal/detectors/univariate_isolation_forest_detector.h"

namespace kubeheal::detectors {

Assessment UnivariateIsolationForestDetector::Assess(double timestamp_seconds, double value) {
  Eigen::VectorXd features(2);
  features << value, has_previous_ ? value - previous_ : 0.0;
  has_previous_ = true;
  previous_ = value;
  Assessment a = inner_.Update(timestamp_seconds, features);
  // Report the band in the series' own units: the last value is what "normal" looked like.
  a.expected = a.low = a.high = value;
  return a;
}

void UnivariateIsolationForestDetector::ResetModel() {
  inner_.Reset();
  has_previous_ = false;
  previous_ = 0;
}

void UnivariateIsolationForestDetector::SaveModel(StateWriter& out) const {
  out.Integer(has_previous_ ? 1 : 0);
  out.Number(previous_);
  // The inner snapshot is a token sequence of its own, framed by markers it never contains.
  const std::string inner = inner_.SaveState();
  out.Word("inner");
  out.Word(inner);
  out.Word("end-inner");
}

Status UnivariateIsolationForestDetector::LoadModel(StateReader& in) {
  std::int64_t has_previous = 0;
  if (Status s = in.Integer("has_previous", has_previous); !s) return s;
  if (Status s = in.Number("previous", previous_); !s) return s;
  if (Status s = in.Expect("inner"); !s) return s;
  // Collect the inner snapshot's tokens up to the end marker.
  std::string inner;
  for (;;) {
    if (in.AtEnd()) return Error::Invalid("state: isolationForest snapshot is truncated");
    std::string token;
    if (Status s = in.Token(token); !s) return s;
    if (token == "end-inner") break;
    inner += token;
    inner += ' ';
  }
  has_previous_ = has_previous != 0;
  return inner_.LoadState(inner);
}

}  // namespace kubeheal::detectors
