#include "kubeheal/kube/backoff.h"

#include <algorithm>
#include <cmath>
#include <memory>
#include <random>

namespace kubeheal::kube {

Backoff::Backoff(Params params, std::function<double()> uniform01)
    : params_(params), uniform01_(std::move(uniform01)) {
  if (!uniform01_) {
    auto engine = std::make_shared<std::mt19937_64>(std::random_device{}());
    uniform01_ = [engine] { return std::uniform_real_distribution<double>(0.0, 1.0)(*engine); };
  }
}

Backoff::Duration Backoff::Next(TimePoint now) {
  if (last_failure_ && now - *last_failure_ > params_.reset_after) attempts_ = 0;
  last_failure_ = now;
  const double max_ns = static_cast<double>(params_.max.count());
  double base = static_cast<double>(params_.initial.count()) *
                std::pow(params_.factor, static_cast<double>(attempts_));
  base = std::min(base, max_ns);
  const double u = std::clamp(uniform01_(), 0.0, 1.0);
  const double jittered = std::min(base * (1.0 + params_.jitter * u), max_ns);
  // Stop growing once capped so attempts_ cannot overflow pow() on a long outage.
  if (base < max_ns) ++attempts_;
  return Duration(static_cast<Duration::rep>(jittered));
}

void Backoff::Reset() {
  attempts_ = 0;
  last_failure_.reset();
}

}  // namespace kubeheal::kube
