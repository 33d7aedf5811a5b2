#include "kubeheal/detectors/ewma_detector.h"

#include <algorithm>
#include <cmath>

#include "band_judgement.h"
#include "number_format.h"
#include "sigma_floor.h"

namespace kubeheal::detectors {

EwmaDetector::EwmaDetector(Config config)
    : StreamingDetector("ewma", config.max_gap_seconds), config_(config) {}

Assessment EwmaDetector::Assess(double, double value) {
  Assessment a;
  if (count_ == 0) {
    mean_ = value;
    variance_ = 0;
    count_ = 1;
    a.expected = a.low = a.high = value;
    return a;
  }
  const double k = config_.sensitivity;
  const double sigma = BandSigma(std::sqrt(variance_), mean_, k, config_.floor);
  const double z = JudgeAgainstBand(a, value, mean_, sigma, k, count_ >= config_.min_points);
  // Effective memory of an EWMA is about 1/alpha points.
  a.confidence = 1.0 - std::pow(1.0 - config_.alpha, static_cast<double>(count_));
  if (a.severity != Severity::kNormal) {
    a.explanation = "value " + FormatNumber(value) + " is " + FormatNumber(std::abs(z)) + "σ " +
                    (z > 0 ? "above" : "below") + " the moving average " + FormatNumber(mean_) +
                    " (alpha " + FormatNumber(config_.alpha) + ")";
  }
  const double diff = value - mean_;
  const double increment = config_.alpha * diff;
  mean_ += increment;
  variance_ = (1.0 - config_.alpha) * (variance_ + diff * increment);
  ++count_;
  return a;
}

void EwmaDetector::ResetModel() {
  count_ = 0;
  mean_ = variance_ = 0;
}

void EwmaDetector::SaveModel(StateWriter& out) const {
  out.Integer(count_);
  out.Number(mean_);
  out.Number(variance_);
}

Status EwmaDetector::LoadModel(StateReader& in) {
  std::int64_t count = 0;
  if (Status s = in.Integer("count", count); !s) return s;
  if (Status s = in.Number("mean", mean_); !s) return s;
  if (Status s = in.Number("variance", variance_); !s) return s;
  if (count < 0 || !std::isfinite(mean_) || !(variance_ >= 0) || !std::isfinite(variance_)) {
    return Error::Invalid("state: ewma snapshot has an invalid count, mean or variance");
  }
  count_ = static_cast<long>(count);
  return {};
}

}  // namespace kubeheal::detectors
