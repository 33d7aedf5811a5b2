#pragma once

#include <chrono>
#include <memory>
#include <optional>

#include "kubeheal/common/random.h"

namespace kubeheal::kube {

// Jittered exponential backoff as a value object (the kube-rs shape): the caller owns one per
// retrying loop and passes it in, so tests set the parameters and the random source.
// delay(n) = min(max, initial * factor^n) * (1 + jitter * u), u uniform in [0,1), capped at max.
// After `reset_after` without a failure the sequence starts again from `initial`.
// Not thread-safe: owned by one loop.
class Backoff {
 public:
  using Duration = std::chrono::nanoseconds;
  using TimePoint = std::chrono::steady_clock::time_point;

  struct Params {
    Duration initial = std::chrono::milliseconds(200);
    Duration max = std::chrono::seconds(30);
    double factor = 2.0;
    double jitter = 0.2;
    Duration reset_after = std::chrono::seconds(60);
  };

  // `random` draws the jitter; by default a ThreadLocalRandomSource.
  explicit Backoff(Params params, std::shared_ptr<RandomSource> random = nullptr);

  // The delay before the next attempt after a failure observed at `now`.
  Duration Next(TimePoint now);
  // Starts the sequence again (e.g. after a success that proves the peer healthy).
  void Reset();
  int attempts() const { return attempts_; }
  const Params& params() const { return params_; }

 private:
  Params params_;
  std::shared_ptr<RandomSource> random_;
  int attempts_ = 0;
  std::optional<TimePoint> last_failure_;
};

}  // namespace kubeheal::kube
