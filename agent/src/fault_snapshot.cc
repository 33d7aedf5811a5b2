#include "kubeheal/agent/fault_snapshot.h"

#include <algorithm>
#include <cmath>

namespace kubeheal::agent {
namespace {

bool selected(const ActiveFault& fault, RandomSource& random) {
  return fault.spec.percent >= 100 || random.Uniform01() * 100.0 < fault.spec.percent;
}

std::chrono::milliseconds latencyOf(const ActiveFault& fault, RandomSource& random) {
  const FaultParams& params = fault.spec.params;
  double delay = static_cast<double>(params.delayMs);
  if (params.jitterMs > 0) {
    delay += (random.Uniform01() * 2.0 - 1.0) * static_cast<double>(params.jitterMs);
  }
  return std::chrono::milliseconds(static_cast<std::int64_t>(std::llround(std::max(0.0, delay))));
}

}  // namespace

FaultSnapshot::FaultSnapshot(std::vector<std::shared_ptr<ActiveFault>> faults)
    : faults_(std::move(faults)) {}

RequestFaultDecision FaultSnapshot::decide(const RequestView& request,
                                           std::chrono::steady_clock::time_point now,
                                           RandomSource& random) const {
  RequestFaultDecision decision;
  // Evaluation order of agent/API.md: latency (adds up), then abort, hang, httpError.
  static constexpr FaultType kTerminalOrder[] = {FaultType::kAbort, FaultType::kHang,
                                                 FaultType::kHttpError};
  for (const auto& fault : faults_) {
    if (fault->spec.type != FaultType::kLatency || !fault->activeAt(now)) continue;
    if (!fault->spec.match.matches(request) || !selected(*fault, random)) continue;
    decision.delay += latencyOf(*fault, random);
    fault->injected.fetch_add(1, std::memory_order_relaxed);
  }
  for (FaultType type : kTerminalOrder) {
    for (const auto& fault : faults_) {
      if (fault->spec.type != type || !fault->activeAt(now)) continue;
      if (!fault->spec.match.matches(request) || !selected(*fault, random)) continue;
      fault->injected.fetch_add(1, std::memory_order_relaxed);
      decision.fault = fault;
      decision.action = type == FaultType::kAbort  ? RequestFaultDecision::Action::kAbort
                        : type == FaultType::kHang ? RequestFaultDecision::Action::kHang
                                                   : RequestFaultDecision::Action::kHttpError;
      return decision;
    }
  }
  return decision;
}

bool FaultSnapshot::dropConnection(std::chrono::steady_clock::time_point now,
                                   RandomSource& random) const {
  for (const auto& fault : faults_) {
    if (fault->spec.type != FaultType::kTrafficDrop || !fault->activeAt(now)) continue;
    if (!selected(*fault, random)) continue;
    fault->injected.fetch_add(1, std::memory_order_relaxed);
    return true;
  }
  return false;
}

}  // namespace kubeheal::agent
