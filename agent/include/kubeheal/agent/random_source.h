#pragma once

namespace kubeheal::agent {

// Randomness used to pick which requests a fault affects (percent) and latency jitter.
// Implementations must be callable from every worker thread at once.
class RandomSource {
 public:
  virtual ~RandomSource() = default;
  // Uniform in [0, 1).
  virtual double uniform01() = 0;
};

}  // namespace kubeheal::agent
