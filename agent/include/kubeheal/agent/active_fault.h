#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

#include "kubeheal/agent/fault_spec.h"

namespace kubeheal::agent {

// A fault in effect. Immutable after creation except the counters; shared (shared_ptr) between
// the registry and the worker threads that hold a snapshot or a hung connection.
struct ActiveFault {
  FaultSpec spec;
  std::chrono::steady_clock::time_point expiresAt;
  std::chrono::system_clock::time_point createdAtWall;
  std::chrono::system_clock::time_point expiresAtWall;
  // Set by the registry when the fault is cleared or replaced, so holders (hang) let go.
  std::atomic<bool> ended{false};
  mutable std::atomic<std::uint64_t> injected{0};

  bool activeAt(std::chrono::steady_clock::time_point now) const {
    return !ended.load(std::memory_order_relaxed) && now < expiresAt;
  }
};

}  // namespace kubeheal::agent
