#include "latency_histogram.h"

#include <algorithm>
#include <cmath>

namespace kubeheal::samples {

namespace {

constexpr double kGrowth = 1.02;
constexpr std::int64_t kMaxMicros = 3600LL * 1000 * 1000;
const double kLogGrowth = std::log(kGrowth);

size_t BucketCount() { return static_cast<size_t>(std::log(double(kMaxMicros)) / kLogGrowth) + 2; }

size_t BucketOf(std::int64_t micros) {
  if (micros <= 1) return 0;
  return static_cast<size_t>(std::log(static_cast<double>(micros)) / kLogGrowth) + 1;
}

}  // namespace

LatencyHistogram::LatencyHistogram() : buckets_(BucketCount(), 0) {}

void LatencyHistogram::Record(std::int64_t micros) {
  micros = std::clamp<std::int64_t>(micros, 0, kMaxMicros);
  ++buckets_[BucketOf(micros)];
  if (count_ == 0 || micros < min_) min_ = micros;
  if (count_ == 0 || micros > max_) max_ = micros;
  ++count_;
  sum_ += micros;
}

void LatencyHistogram::Merge(const LatencyHistogram& other) {
  if (other.count_ == 0) return;
  for (size_t i = 0; i < buckets_.size(); ++i) buckets_[i] += other.buckets_[i];
  min_ = count_ ? std::min(min_, other.min_) : other.min_;
  max_ = count_ ? std::max(max_, other.max_) : other.max_;
  count_ += other.count_;
  sum_ += other.sum_;
}

void LatencyHistogram::Reset() {
  std::fill(buckets_.begin(), buckets_.end(), 0);
  count_ = 0;
  sum_ = 0;
  min_ = max_ = 0;
}

std::int64_t LatencyHistogram::Percentile(double q) const {
  if (count_ == 0) return 0;
  auto rank = static_cast<std::uint64_t>(std::ceil(q * static_cast<double>(count_)));
  rank = std::clamp<std::uint64_t>(rank, 1, count_);
  std::uint64_t seen = 0;
  for (size_t i = 0; i < buckets_.size(); ++i) {
    seen += buckets_[i];
    if (seen >= rank) {
      auto upper = static_cast<std::int64_t>(std::ceil(std::exp(kLogGrowth * double(i))));
      return std::clamp(upper, min_, max_);
    }
  }
  return max_;
}

}  // namespace kubeheal::samples
