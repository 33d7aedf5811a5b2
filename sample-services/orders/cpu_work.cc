#include "cpu_work.h"

namespace kubeheal::samples {

std::uint64_t ScoreOrder(std::uint64_t seed, std::uint64_t units) {
  std::uint64_t x = seed;
  for (std::uint64_t i = 0; i < units * 1000; ++i) {
    // splitmix64: each round depends on the last, so the compiler cannot skip any.
    x += 0x9e3779b97f4a7c15ULL;
    std::uint64_t z = x;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    x ^= z ^ (z >> 31);
  }
  return x;
}

}  // namespace kubeheal::samples
