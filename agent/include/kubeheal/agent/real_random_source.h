#pragma once

#include "kubeheal/agent/random_source.h"

namespace kubeheal::agent {

// A fast per-thread generator (xorshift), seeded from std::random_device once per thread,
// so worker threads never share state or take a lock.
class RealRandomSource final : public RandomSource {
 public:
  double uniform01() override;
};

}  // namespace kubeheal::agent
