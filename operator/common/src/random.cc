#include "kubeheal/common/random.h"

#include <cstdint>
#include <random>

namespace kubeheal {
namespace {

constexpr std::uint64_t kGoldenGamma = 0x9E3779B97F4A7C15ULL;

std::uint64_t SeedFromDevice() {
  std::random_device device;
  const std::uint64_t value = (std::uint64_t{device()} << 32) ^ device();
  return value == 0 ? kGoldenGamma : value;  // xorshift never leaves 0
}

}  // namespace

std::uint64_t SeededRandomSource::NextU64() {
  std::uint64_t z = state_.fetch_add(kGoldenGamma, std::memory_order_relaxed) + kGoldenGamma;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

std::uint64_t ThreadLocalRandomSource::NextU64() {
  thread_local std::uint64_t state = SeedFromDevice();
  state ^= state >> 12;
  state ^= state << 25;
  state ^= state >> 27;
  return state * 0x2545F4914F6CDD1DULL;
}

}  // namespace kubeheal
