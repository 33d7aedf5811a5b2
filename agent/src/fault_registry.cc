#include "kubeheal/agent/fault_registry.h"

#include <algorithm>
#include <cmath>

#include "kubeheal/common/error.h"

namespace kubeheal::agent {
namespace {

template <class Duration>
Duration secondsToDuration(double seconds) {
  return std::chrono::duration_cast<Duration>(std::chrono::duration<double>(seconds));
}

}  // namespace

FaultRegistry::FaultRegistry(const Clock& time)
    : time_(time),
      snapshot_(
          std::make_shared<const FaultSnapshot>(std::vector<std::shared_ptr<ActiveFault>>{})) {}

Result<FaultRegistry::Upserted> FaultRegistry::upsert(FaultSpec spec) {
  const auto now = time_.SteadyNow();
  const auto wallNow = time_.Now();
  std::lock_guard lock(mutex_);
  expireLocked(now);
  auto existing = std::find_if(faults_.begin(), faults_.end(),
                               [&](const auto& fault) { return fault->spec.id == spec.id; });
  const bool created = spec.id.empty() || existing == faults_.end();
  if (created && faults_.size() >= kMaxFaults) {
    return Error::InvalidField("id",
                               "at most " + std::to_string(kMaxFaults) + " faults may be active");
  }
  if (spec.id.empty()) {
    do {
      spec.id = "f-" + std::to_string(nextId_++);
    } while (std::any_of(faults_.begin(), faults_.end(),
                         [&](const auto& fault) { return fault->spec.id == spec.id; }));
  }
  auto fault = std::make_shared<ActiveFault>();
  fault->expiresAt = now + secondsToDuration<std::chrono::steady_clock::duration>(spec.ttlSeconds);
  fault->createdAtWall = wallNow;
  fault->expiresAtWall =
      wallNow + secondsToDuration<std::chrono::system_clock::duration>(spec.ttlSeconds);
  fault->spec = std::move(spec);
  if (created) {
    faults_.push_back(fault);
  } else {
    (*existing)->ended.store(true);
    *existing = fault;  // keeps its place in the evaluation order
  }
  publishLocked();
  return Upserted{fault, created};
}

std::size_t FaultRegistry::clearAll() {
  std::lock_guard lock(mutex_);
  expireLocked(time_.SteadyNow());
  const std::size_t count = faults_.size();
  for (auto& fault : faults_) fault->ended.store(true);
  faults_.clear();
  publishLocked();
  return count;
}

bool FaultRegistry::clear(const std::string& id) {
  std::lock_guard lock(mutex_);
  expireLocked(time_.SteadyNow());
  auto it = std::find_if(faults_.begin(), faults_.end(),
                         [&](const auto& fault) { return fault->spec.id == id; });
  if (it == faults_.end()) return false;
  (*it)->ended.store(true);
  faults_.erase(it);
  publishLocked();
  return true;
}

std::size_t FaultRegistry::expire() {
  std::lock_guard lock(mutex_);
  const std::size_t removed = expireLocked(time_.SteadyNow());
  if (removed > 0) publishLocked();
  return removed;
}

std::size_t FaultRegistry::expireLocked(std::chrono::steady_clock::time_point now) {
  const auto before = faults_.size();
  std::erase_if(faults_, [&](const auto& fault) {
    if (fault->activeAt(now)) return false;
    fault->ended.store(true);
    return true;
  });
  return before - faults_.size();
}

std::vector<std::shared_ptr<const ActiveFault>> FaultRegistry::list() {
  std::lock_guard lock(mutex_);
  if (expireLocked(time_.SteadyNow()) > 0) publishLocked();
  return {faults_.begin(), faults_.end()};
}

std::shared_ptr<const FaultSnapshot> FaultRegistry::snapshot() const {
  std::lock_guard lock(mutex_);
  return snapshot_;
}

void FaultRegistry::publishLocked() {
  std::vector<std::shared_ptr<ActiveFault>> dataPath;
  for (const auto& fault : faults_) {
    if (isDataPathFault(fault->spec.type)) dataPath.push_back(fault);
  }
  snapshot_ = std::make_shared<const FaultSnapshot>(std::move(dataPath));
  version_.fetch_add(1, std::memory_order_release);
}

}  // namespace kubeheal::agent
