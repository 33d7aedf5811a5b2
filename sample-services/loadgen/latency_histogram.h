#pragma once

#include <cstdint>
#include <vector>

namespace kubeheal::samples {

// Latencies in microseconds, in log-spaced buckets 2% wide from 1 us to about an hour:
// fixed memory however long the run, mergeable, percentiles within 2%. Not thread-safe: the
// owner guards it.
class LatencyHistogram {
 public:
  LatencyHistogram();
  void Record(std::int64_t micros);
  void Merge(const LatencyHistogram& other);
  void Reset();

  std::uint64_t count() const { return count_; }
  std::int64_t max() const { return max_; }
  double mean() const { return count_ ? static_cast<double>(sum_) / count_ : 0; }
  // Upper bound of the bucket holding quantile q (0 < q <= 1), clamped to the observed
  // min and max; 0 when empty.
  std::int64_t Percentile(double q) const;

 private:
  std::vector<std::uint64_t> buckets_;
  std::uint64_t count_ = 0;
  std::int64_t sum_ = 0;
  std::int64_t min_ = 0;
  std::int64_t max_ = 0;
};

}  // namespace kubeheal::samples
