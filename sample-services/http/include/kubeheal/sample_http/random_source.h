#pragma once

#include <cstdint>
#include <mutex>
#include <random>

namespace kubeheal::samples {

// Randomness as a dependency so latency models and traffic mixes are testable.
class RandomSource {
 public:
  virtual ~RandomSource() = default;
  // Uniform in [0, 1).
  virtual double Uniform() = 0;
};

// Thread-safe: one generator behind a mutex (cheap next to an HTTP request).
class SeededRandomSource final : public RandomSource {
 public:
  explicit SeededRandomSource(std::uint64_t seed) : engine_(seed) {}
  double Uniform() override {
    std::lock_guard lock(mutex_);
    return std::uniform_real_distribution<double>(0.0, 1.0)(engine_);
  }

 private:
  std::mutex mutex_;
  std::mt19937_64 engine_;
};

}  // namespace kubeheal::samples
