#pragma once

#include <atomic>
#include <cstdint>

namespace kubeheal {

// Randomness is a dependency, like time: whatever draws random numbers (which requests a fault
// hits, latency jitter, traffic mixes, Isolation Forest sampling) takes a RandomSource, so tests
// script it and benchmarks make it reproducible. Implementations must be safe to call from
// several threads at once.
class RandomSource {
 public:
  virtual ~RandomSource() = default;
  // 64 uniformly random bits.
  virtual std::uint64_t NextU64() = 0;
  // Uniform in [0, 1): the top 53 bits of NextU64(). Virtual so that a scripted source answers
  // exactly the values a test gives (0.3 has no exact 53-bit fraction).
  virtual double Uniform01() { return ToUnit(NextU64()); }
  // Uniform in [0, n); n > 0.
  std::uint64_t NextBelow(std::uint64_t n) { return NextU64() % n; }

 protected:
  static double ToUnit(std::uint64_t bits) { return static_cast<double>(bits >> 11) * 0x1.0p-53; }
};

// SplitMix64 over an atomic counter: fully determined by its seed (a model trained twice on the
// same window is the same model; a load test replays the same mix), lock-free, and safe to share
// between threads (each call claims its own step of the counter).
class SeededRandomSource final : public RandomSource {
 public:
  explicit SeededRandomSource(std::uint64_t seed) : state_(seed) {}
  std::uint64_t NextU64() override;
  double Uniform01() override { return ToUnit(NextU64()); }  // one indirect call, not two
  // The generator's position, for detectors that persist their state and resume it.
  std::uint64_t state() const { return state_.load(std::memory_order_relaxed); }
  void set_state(std::uint64_t state) { state_.store(state, std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> state_;
};

// xorshift64* with one generator per thread, each seeded once from std::random_device: no shared
// state and no lock on a hot path (the agent picks requests with it on every worker thread).
class ThreadLocalRandomSource final : public RandomSource {
 public:
  std::uint64_t NextU64() override;
  double Uniform01() override { return ToUnit(NextU64()); }  // one indirect call, not two
};

}  // namespace kubeheal
