#include "kubeheal/detectors/streaming_detector.h"

#include <cmath>

namespace kubeheal::detectors {

Assessment StreamingDetector::Rejected(std::string why) const {
  Assessment a;
  a.expected = last_accepted_.expected;
  a.low = last_accepted_.low;
  a.high = last_accepted_.high;
  a.explanation = std::move(why);
  return a;
}

Assessment StreamingDetector::Update(double timestamp_seconds, double value) {
  if (std::isnan(timestamp_seconds)) return Rejected("timestamp is NaN; point ignored");
  if (!std::isfinite(value)) {
    return Rejected(std::isnan(value) ? "value is NaN; point ignored"
                                      : "value is infinite; point ignored");
  }
  if (has_last_ && timestamp_seconds < last_timestamp_) {
    return Rejected("timestamp goes backwards; point ignored");
  }
  if (has_last_ && max_gap_seconds_ > 0 && timestamp_seconds - last_timestamp_ > max_gap_seconds_) {
    ResetModel();
  }
  has_last_ = true;
  last_timestamp_ = timestamp_seconds;
  Assessment a = Assess(timestamp_seconds, value);
  last_accepted_.expected = a.expected;
  last_accepted_.low = a.low;
  last_accepted_.high = a.high;
  return a;
}

void StreamingDetector::Reset() {
  has_last_ = false;
  last_timestamp_ = 0;
  last_accepted_ = Assessment{};
  ResetModel();
}

std::string StreamingDetector::SaveState() const {
  StateWriter out;
  out.Word("kubeheal-detector-state/v1");
  out.Word(Name());
  out.Integer(has_last_ ? 1 : 0);
  out.Number(last_timestamp_);
  SaveModel(out);
  return out.text();
}

Status StreamingDetector::LoadState(std::string_view state) {
  StateReader in(state);
  if (Status s = in.Expect("kubeheal-detector-state/v1"); !s) return s;
  if (Status s = in.Expect(Name()); !s) return s;
  std::int64_t has_last = 0;
  double last = 0;
  if (Status s = in.Integer("has_last", has_last); !s) return s;
  if (Status s = in.Number("last_timestamp", last); !s) return s;
  ResetModel();
  if (Status s = LoadModel(in); !s) {
    ResetModel();
    return s;
  }
  if (!in.AtEnd()) {
    ResetModel();
    return Error::Invalid("state: unexpected data after the snapshot of " + std::string(Name()));
  }
  has_last_ = has_last != 0;
  last_timestamp_ = last;
  return {};
}

}  // namespace kubeheal::detectors
