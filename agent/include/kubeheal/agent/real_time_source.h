#pragma once

#include "kubeheal/agent/time_source.h"

namespace kubeheal::agent {

// Reads the machine's clocks. Stateless, safe from any thread.
class RealTimeSource final : public TimeSource {
 public:
  std::chrono::steady_clock::time_point steadyNow() const override;
  std::chrono::system_clock::time_point systemNow() const override;
};

}  // namespace kubeheal::agent
