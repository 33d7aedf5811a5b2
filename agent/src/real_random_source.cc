#include "kubeheal/agent/real_random_source.h"

#include <cstdint>
#include <random>

namespace kubeheal::agent {
namespace {

std::uint64_t seed() {
  std::random_device device;
  std::uint64_t value = (std::uint64_t{device()} << 32) ^ device();
  return value == 0 ? 0x9E3779B97F4A7C15ULL : value;
}

}  // namespace

double RealRandomSource::uniform01() {
  // xorshift64*: plenty for picking requests, and no shared state between threads.
  thread_local std::uint64_t state = seed();
  state ^= state >> 12;
  state ^= state << 25;
  state ^= state >> 27;
  const std::uint64_t value = state * 0x2545F4914F6CDD1DULL;
  return static_cast<double>(value >> 11) * 0x1.0p-53;
}

}  // namespace kubeheal::agent
