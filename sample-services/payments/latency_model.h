#pragma once

#include <atomic>
#include <chrono>

#include "kubeheal/common/random.h"

namespace kubeheal::samples {

// How long a payment authorisation takes: a log-normal spread around `median`, plus, with
// probability `slow_fraction`, a slow call to the (simulated) card network, plus an extra
// delay that tests and demos can set at run time. Thread-safe (atomics and a thread-safe
// RandomSource).
class LatencyModel {
 public:
  struct Config {
    std::chrono::microseconds median{5000};
    double spread = 0.5;  // sigma of the log-normal; 0 = always the median
    double slow_fraction = 0.01;
    std::chrono::microseconds slow_delay{200000};
  };

  LatencyModel(Config config, RandomSource& random) : config_(config), random_(random) {}

  std::chrono::microseconds Next();

  void SetExtraDelay(std::chrono::microseconds extra) { extra_us_.store(extra.count()); }
  std::chrono::microseconds ExtraDelay() const {
    return std::chrono::microseconds(extra_us_.load());
  }

 private:
  Config config_;
  RandomSource& random_;
  std::atomic<long long> extra_us_{0};
};

}  // namespace kubeheal::samples
