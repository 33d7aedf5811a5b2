#include "kubeheal/agent/token_bucket.h"

#include <algorithm>
#include <cmath>

namespace kubeheal::agent {

TokenBucket::TokenBucket(double rps, double burst, TimePoint now)
    : rps_(rps), burst_(burst), tokens_(burst), last_(now) {}

void TokenBucket::refill(TimePoint now) {
  if (now <= last_) return;
  const double elapsed = std::chrono::duration<double>(now - last_).count();
  tokens_ = std::min(burst_, tokens_ + elapsed * rps_);
  last_ = now;
}

bool TokenBucket::tryTake(TimePoint now) {
  refill(now);
  if (tokens_ < 1.0) return false;
  tokens_ -= 1.0;
  return true;
}

double TokenBucket::tokens(TimePoint now) {
  refill(now);
  return tokens_;
}

std::chrono::nanoseconds TokenBucket::timeUntilToken(TimePoint now) {
  refill(now);
  if (tokens_ >= 1.0) return std::chrono::nanoseconds(0);
  const double seconds = (1.0 - tokens_) / rps_;
  return std::chrono::nanoseconds(static_cast<std::int64_t>(std::ceil(seconds * 1e9)));
}

}  // namespace kubeheal::agent
