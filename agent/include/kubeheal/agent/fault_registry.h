#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "kubeheal/agent/active_fault.h"
#include "kubeheal/agent/fault_snapshot.h"
#include "kubeheal/common/clock.h"
#include "kubeheal/common/result.h"

namespace kubeheal::agent {

// The faults in effect. Written by the admin thread (set, clear) and the process-fault thread
// (expiry); read by worker threads through snapshots: publishing bumps version(), and a worker
// re-reads snapshot() only when the version it cached changed, so the request path takes no lock.
class FaultRegistry {
 public:
  static constexpr std::size_t kMaxFaults = 64;

  struct Upserted {
    std::shared_ptr<const ActiveFault> fault;
    bool created = false;
  };

  explicit FaultRegistry(const Clock& time);

  // Adds a fault, or replaces the one with the same id (refreshing its expiry); an
  // Error::InvalidField("id") error when kMaxFaults are active already.
  Result<Upserted> upsert(FaultSpec spec);
  std::size_t clearAll();
  bool clear(const std::string& id);
  // Drops expired faults; returns how many. Called periodically (dead-man's switch).
  std::size_t expire();
  // Active faults, oldest first (expired ones are dropped first).
  std::vector<std::shared_ptr<const ActiveFault>> list();

  std::uint64_t version() const { return version_.load(std::memory_order_acquire); }
  std::shared_ptr<const FaultSnapshot> snapshot() const;

 private:
  void publishLocked();
  std::size_t expireLocked(std::chrono::steady_clock::time_point now);

  const Clock& time_;
  mutable std::mutex mutex_;
  std::vector<std::shared_ptr<ActiveFault>> faults_;  // guarded by mutex_, oldest first
  std::shared_ptr<const FaultSnapshot> snapshot_;     // guarded by mutex_
  std::uint64_t nextId_ = 1;                          // guarded by mutex_
  std::atomic<std::uint64_t> version_{0};
};

}  // namespace kubeheal::agent
