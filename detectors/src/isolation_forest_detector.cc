#include "kubeheal/detectors/isolation_forest_detector.h"

#include <algorithm>
#include <cmath>

#include "number_format.h"

namespace kubeheal::detectors {

IsolationForestDetector::IsolationForestDetector(Config config)
    : config_(config), forest_(config.forest), random_(config.seed) {
  config_.min_training = std::clamp<std::size_t>(config_.min_training, 2, config_.training_window);
  config_.retrain_every = std::max<std::size_t>(config_.retrain_every, 1);
}

Assessment IsolationForestDetector::Rejected(std::string why) const {
  Assessment a;
  a.expected = 0.5;
  a.high = config_.threshold;
  a.explanation = std::move(why);
  return a;
}

void IsolationForestDetector::Train() {
  Eigen::MatrixXd samples(static_cast<Eigen::Index>(window_.size()), window_.front().size());
  for (std::size_t i = 0; i < window_.size(); ++i) {
    samples.row(static_cast<Eigen::Index>(i)) = window_[i].transpose();
  }
  // The window holds only finite, same-sized vectors, so Fit cannot fail here.
  (void)forest_.Fit(samples, random_);
  since_training_ = 0;
}

Assessment IsolationForestDetector::Update(double timestamp_seconds,
                                           const Eigen::VectorXd& features) {
  if (std::isnan(timestamp_seconds)) return Rejected("timestamp is NaN; point ignored");
  if (features.size() == 0) return Rejected("empty feature vector; point ignored");
  if (!window_.empty() && features.size() != window_.front().size()) {
    return Rejected("feature vector has " + std::to_string(features.size()) + " values, expected " +
                    std::to_string(window_.front().size()) + "; point ignored");
  }
  if (!features.allFinite()) return Rejected("a feature is NaN or infinite; point ignored");
  if (has_last_ && timestamp_seconds < last_timestamp_) {
    return Rejected("timestamp goes backwards; point ignored");
  }
  if (has_last_ && config_.max_gap_seconds > 0 &&
      timestamp_seconds - last_timestamp_ > config_.max_gap_seconds) {
    Reset();
  }
  has_last_ = true;
  last_timestamp_ = timestamp_seconds;

  Assessment a = Rejected("");
  if (forest_.trained() && forest_.features() == features.size()) {
    const double s = forest_.Score(features.data());
    const double ratio = std::max(0.0, s - 0.5) / std::max(config_.threshold - 0.5, 1e-9);
    a.score = ScoreFromRatio(ratio);
    a.severity = SeverityFromRatio(ratio);
    a.anomalous = s >= config_.threshold;
    a.confidence = std::min(
        1.0, static_cast<double>(window_.size()) / static_cast<double>(config_.training_window));
    a.details = {{"isolation_score", s}};
    if (a.severity != Severity::kNormal) {
      a.explanation = "isolation score " + FormatNumber(s) + " (alert at " +
                      FormatNumber(config_.threshold) + "): the point is separated from the " +
                      std::to_string(window_.size()) + " recent points by few random splits";
    }
  }
  window_.push_back(features);
  if (window_.size() > config_.training_window) window_.pop_front();
  ++since_training_;
  if ((!forest_.trained() && window_.size() >= config_.min_training) ||
      (forest_.trained() && since_training_ >= config_.retrain_every)) {
    Train();
  }
  return a;
}

void IsolationForestDetector::Reset() {
  forest_ = IsolationForest(config_.forest);
  random_.set_state(config_.seed);
  window_.clear();
  since_training_ = 0;
  has_last_ = false;
  last_timestamp_ = 0;
}

std::string IsolationForestDetector::SaveState() const {
  StateWriter out;
  out.Word("kubeheal-detector-state/v1");
  out.Word(Name());
  out.Integer(has_last_ ? 1 : 0);
  out.Number(last_timestamp_);
  out.Integer(static_cast<std::int64_t>(random_.state()));
  out.Integer(static_cast<std::int64_t>(since_training_));
  const Eigen::Index dims = window_.empty() ? 0 : window_.front().size();
  out.Integer(static_cast<std::int64_t>(window_.size()));
  out.Integer(dims);
  for (const Eigen::VectorXd& v : window_) {
    for (Eigen::Index i = 0; i < dims; ++i) out.Number(v[i]);
  }
  out.Integer(forest_.trained() ? 1 : 0);
  if (forest_.trained()) forest_.Save(out);
  return out.text();
}

Status IsolationForestDetector::LoadState(std::string_view state) {
  StateReader in(state);
  if (Status s = in.Expect("kubeheal-detector-state/v1"); !s) return s;
  if (Status s = in.Expect(Name()); !s) return s;
  std::int64_t has_last = 0, random_state = 0, since = 0, count = 0, dims = 0, trained = 0;
  double last = 0;
  if (Status s = in.Integer("has_last", has_last); !s) return s;
  if (Status s = in.Number("last_timestamp", last); !s) return s;
  if (Status s = in.Integer("random_state", random_state); !s) return s;
  if (Status s = in.Integer("since_training", since); !s) return s;
  if (Status s = in.Integer("window size", count); !s) return s;
  if (Status s = in.Integer("dimensions", dims); !s) return s;
  if (count < 0 || static_cast<std::size_t>(count) > config_.training_window || dims < 0 ||
      dims > 100000 || since < 0) {
    return Error::Invalid(
        "state: isolationForest window is larger than training_window or malformed");
  }
  std::deque<Eigen::VectorXd> window;
  for (std::int64_t i = 0; i < count; ++i) {
    Eigen::VectorXd v(dims);
    for (Eigen::Index d = 0; d < dims; ++d) {
      if (Status s = in.Number("window value", v[d]); !s) return s;
    }
    window.push_back(std::move(v));
  }
  if (Status s = in.Integer("trained", trained); !s) return s;
  IsolationForest forest(config_.forest);
  if (trained != 0) {
    if (Status s = forest.Load(in); !s) return s;
  }
  if (!in.AtEnd())
    return Error::Invalid("state: unexpected data after the isolationForest snapshot");
  has_last_ = has_last != 0;
  last_timestamp_ = last;
  random_.set_state(static_cast<std::uint64_t>(random_state));
  since_training_ = static_cast<std::size_t>(since);
  window_ = std::move(window);
  forest_ = std::move(forest);
  return {};
}

}  // namespace kubeheal::detectors
