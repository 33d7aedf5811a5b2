#pragma once

#include <chrono>
#include <memory>

#include "kubeheal/agent/active_fault.h"

namespace kubeheal::agent {

// What the data path must do to one request because of the active faults.
struct RequestFaultDecision {
  enum class Action { kForward, kAbort, kHang, kHttpError };
  Action action = Action::kForward;
  // Added by latency faults before the action (also before forwarding).
  std::chrono::milliseconds delay{0};
  // The fault behind `action` (abort, hang, httpError); null for kForward.
  std::shared_ptr<const ActiveFault> fault;
};

}  // namespace kubeheal::agent
