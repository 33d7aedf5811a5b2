#pragma once

#include <cstdint>
#include <memory>

#include "kubeheal/agent/fault_registry.h"

namespace kubeheal::agent {

// Per-worker cache of the registry's snapshot; owned and used by one thread only.
class FaultSnapshotCache {
 public:
  explicit FaultSnapshotCache(const FaultRegistry& registry) : registry_(registry) {}
  const FaultSnapshot& current() {
    const std::uint64_t version = registry_.version();
    if (version != version_ || !snapshot_) {
      snapshot_ = registry_.snapshot();
      version_ = version;
    }
    return *snapshot_;
  }

 private:
  const FaultRegistry& registry_;
  std::uint64_t version_ = ~std::uint64_t{0};
  std::shared_ptr<const FaultSnapshot> snapshot_;
};

}  // namespace kubeheal::agent
