#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "kubeheal/detectors/state_codec.h"

namespace kubeheal::detectors {

// The last `capacity` values with their running mean and variance in O(1) per push.
// Sums are kept relative to a reference value and rebuilt once per `capacity` pushes, so
// large offsets (timestamps, byte counts) do not eat the precision of the variance.
class RollingWindow {
 public:
  explicit RollingWindow(std::size_t capacity) : values_(capacity) {}

  void Push(double x) {
    if (size_ == 0) reference_ = x;
    if (size_ == values_.size()) {
      double old = values_[head_] - reference_;
      sum_ -= old;
      sum_sq_ -= old * old;
    } else {
      ++size_;
    }
    values_[head_] = x;
    head_ = head_ + 1 == values_.size() ? 0 : head_ + 1;
    double d = x - reference_;
    sum_ += d;
    sum_sq_ += d * d;
    if (++pushes_since_rebuild_ >= values_.size()) Rebuild();
  }

  void Clear() {
    size_ = head_ = pushes_since_rebuild_ = 0;
    sum_ = sum_sq_ = reference_ = 0;
  }

  std::size_t size() const { return size_; }
  std::size_t capacity() const { return values_.size(); }
  bool full() const { return size_ == values_.size(); }
  double Mean() const { return reference_ + sum_ / static_cast<double>(size_); }
  // Sample standard deviation (n - 1); 0 with fewer than two values.
  double StdDev() const {
    if (size_ < 2) return 0;
    double n = static_cast<double>(size_);
    double var = (sum_sq_ - sum_ * sum_ / n) / (n - 1);
    return var > 0 ? std::sqrt(var) : 0;
  }
  // Values oldest first.
  std::vector<double> Values() const {
    std::vector<double> out;
    out.reserve(size_);
    std::size_t start = (head_ + values_.size() - size_) % values_.size();
    for (std::size_t i = 0; i < size_; ++i) out.push_back(values_[(start + i) % values_.size()]);
    return out;
  }
  // Raw storage for order-independent scans (median): the first size() slots are not
  // necessarily the live ones, so use Values() unless order and position do not matter.
  template <typename F>
  void ForEach(F&& f) const {
    std::size_t start = (head_ + values_.size() - size_) % values_.size();
    for (std::size_t i = 0, j = start; i < size_; ++i) {
      f(values_[j]);
      if (++j == values_.size()) j = 0;
    }
  }

  // Snapshots keep the running sums as they are, so a restored window computes bit-identical
  // means and deviations to the original.
  void Save(StateWriter& out) const {
    out.Numbers(Values());
    out.Integer(static_cast<std::int64_t>(pushes_since_rebuild_));
    out.Number(reference_);
    out.Number(sum_);
    out.Number(sum_sq_);
  }
  Status Load(StateReader& in, std::string_view field) {
    std::vector<double> live;
    std::int64_t pushes = 0;
    double reference = 0, sum = 0, sum_sq = 0;
    if (Status s = in.Numbers(field, live, values_.size()); !s) return s;
    if (Status s = in.Integer(field, pushes); !s) return s;
    if (Status s = in.Number(field, reference); !s) return s;
    if (Status s = in.Number(field, sum); !s) return s;
    if (Status s = in.Number(field, sum_sq); !s) return s;
    if (pushes < 0 || static_cast<std::size_t>(pushes) >= values_.size()) {
      return Error::Invalid("state: field '" + std::string(field) + "' has a bad rebuild counter");
    }
    Clear();
    for (std::size_t i = 0; i < live.size(); ++i) values_[i] = live[i];
    size_ = live.size();
    head_ = live.size() % values_.size();
    pushes_since_rebuild_ = static_cast<std::size_t>(pushes);
    reference_ = reference;
    sum_ = sum;
    sum_sq_ = sum_sq;
    return {};
  }

 private:
  void Rebuild() {
    pushes_since_rebuild_ = 0;
    std::vector<double> live = Values();
    reference_ = live.empty() ? 0 : live.front();
    sum_ = sum_sq_ = 0;
    for (double v : live) {
      sum_ += v - reference_;
      sum_sq_ += (v - reference_) * (v - reference_);
    }
  }

  std::vector<double> values_;
  std::size_t size_ = 0;
  std::size_t head_ = 0;
  std::size_t pushes_since_rebuild_ = 0;
  double reference_ = 0;
  double sum_ = 0;
  double sum_sq_ = 0;
};

}  // namespace kubeheal::detectors
