#pragma once

#include <cstdint>

namespace kubeheal::samples {

// The CPU-heavy part of placing an order (stands in for pricing and fraud scoring): `units`
// thousand rounds of a 64-bit mixing function. Returns a checksum so the work cannot be
// optimised away. Pure; safe on any thread.
std::uint64_t ScoreOrder(std::uint64_t seed, std::uint64_t units);

}  // namespace kubeheal::samples
