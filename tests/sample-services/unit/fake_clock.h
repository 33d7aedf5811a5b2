#pragma once

#include "kubeheal/sample_http/clock.h"

namespace kubeheal::samples::testing {

// Time that moves only when slept on. Single-threaded tests only.
class ManualClock final : public Clock {
 public:
  TimePoint Now() const override { return now_; }
  void SleepUntil(TimePoint when) override {
    if (when > now_) now_ = when;
  }

 private:
  TimePoint now_{};
};

}  // namespace kubeheal::samples::testing
