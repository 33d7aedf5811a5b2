#pragma once

#include <chrono>
#include <memory>
#include <vector>

#include "kubeheal/agent/active_fault.h"
#include "kubeheal/agent/request_fault_decision.h"
#include "kubeheal/agent/request_view.h"
#include "kubeheal/common/random.h"

namespace kubeheal::agent {

// An immutable set of data-path faults, oldest first, as published by the FaultRegistry.
// Any number of worker threads may read one snapshot at the same time.
class FaultSnapshot {
 public:
  explicit FaultSnapshot(std::vector<std::shared_ptr<ActiveFault>> faults);

  bool empty() const { return faults_.empty(); }
  // Decides the fate of one request (order in agent/API.md). Counts injections.
  RequestFaultDecision decide(const RequestView& request, std::chrono::steady_clock::time_point now,
                              RandomSource& random) const;
  // True if a trafficDrop fault selects this new connection. Counts injections.
  bool dropConnection(std::chrono::steady_clock::time_point now, RandomSource& random) const;

 private:
  std::vector<std::shared_ptr<ActiveFault>> faults_;
};

}  // namespace kubeheal::agent
