#include "kubeheal/kube/backoff.h"

#include <algorithm>
#include <cmath>
#include <memory>

namespace kubeheal::kube {

Backoff::Backoff(Params params, std::shared_ptr<RandomSource> random)
    : params_(params),
      random_(random ? std::move(random) : std::make_shared<ThreadLocalRandomSource>()) {}

Backoff::Duration Backoff::Next(TimePoint now) {
  if (last_failure_ && now - *last_failure_ > params_.reset_after) attempts_ = 0;
  last_failure_ = now;
  const double max_ns = static_cast<double>(params_.max.count());
  double base = static_cast<double>(params_.initial.count()) *
                std::pow(params_.factor, static_cast<double>(attempts_));
  base = std::min(base, max_ns);
  const double u = std::clamp(random_->Uniform01(), 0.0, 1.0);
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
