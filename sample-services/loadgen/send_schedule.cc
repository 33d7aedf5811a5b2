#include "send_schedule.h"

namespace kubeheal::samples {

SendSchedule::SendSchedule(RateProfile profile, double duration, std::uint64_t max_requests)
    : profile_(profile), duration_(duration), max_requests_(max_requests) {}

std::optional<double> SendSchedule::Next() {
  std::lock_guard lock(mutex_);
  if (issued_ >= max_requests_) return std::nullopt;
  if (!profile_.open_loop()) {
    ++issued_;
    return 0.0;
  }
  // The epsilon absorbs rounding in the running sum (100 x 0.01 s must stay below 1 s).
  if (next_time_ >= duration_ - 1e-9) return std::nullopt;
  double at = next_time_;
  next_time_ = profile_.NextSendAfter(at);
  ++issued_;
  return at;
}

std::uint64_t SendSchedule::issued() const {
  std::lock_guard lock(mutex_);
  return issued_;
}

}  // namespace kubeheal::samples
