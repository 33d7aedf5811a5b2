#include "kubeheal/agent/agent_metrics.h"

#include <algorithm>

namespace kubeheal::agent {

void AgentMetrics::Shard::countRequest(int code, std::size_t methodIndex, double seconds) {
  code = std::clamp(code, kMinCode, kMaxCode);
  // Single writer per shard: load+store is enough and cheaper than a locked add.
  auto& counter =
      requests_[static_cast<std::size_t>(code - kMinCode) * kMethods.size() + methodIndex];
  counter.store(counter.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  std::size_t bucket = 0;
  while (bucket < kDurationBuckets.size() && seconds > kDurationBuckets[bucket]) ++bucket;
  buckets_[bucket].store(buckets_[bucket].load(std::memory_order_relaxed) + 1,
                         std::memory_order_relaxed);
  const auto nanos = static_cast<std::uint64_t>(std::max(0.0, seconds) * 1e9);
  durationNanos_.store(durationNanos_.load(std::memory_order_relaxed) + nanos,
                       std::memory_order_relaxed);
}

AgentMetrics::AgentMetrics(std::size_t shards) {
  shards_.reserve(std::max<std::size_t>(1, shards));
  for (std::size_t i = 0; i < std::max<std::size_t>(1, shards); ++i) {
    shards_.push_back(std::make_unique<Shard>());
  }
}

std::size_t AgentMetrics::methodIndex(std::string_view method) {
  for (std::size_t i = 0; i + 1 < kMethods.size(); ++i) {
    if (kMethods[i] == method) return i;
  }
  return kMethods.size() - 1;
}

AgentMetrics::Totals AgentMetrics::totals() const {
  Totals totals;
  std::vector<std::uint64_t> requests(Shard::kCodes * kMethods.size(), 0);
  std::uint64_t nanos = 0;
  for (const auto& shard : shards_) {
    for (std::size_t i = 0; i < requests.size(); ++i) {
      requests[i] += shard->requests_[i].load(std::memory_order_relaxed);
    }
    for (std::size_t i = 0; i < totals.buckets.size(); ++i) {
      totals.buckets[i] += shard->buckets_[i].load(std::memory_order_relaxed);
    }
    nanos += shard->durationNanos_.load(std::memory_order_relaxed);
    totals.inFlight += shard->inFlight_.load(std::memory_order_relaxed);
    totals.upstreamIdle += shard->upstreamIdle_.load(std::memory_order_relaxed);
    totals.upstreamActive += shard->upstreamActive_.load(std::memory_order_relaxed);
  }
  for (std::size_t i = 0; i < requests.size(); ++i) {
    if (requests[i] == 0) continue;
    totals.requests.push_back(
        {kMinCode + static_cast<int>(i / kMethods.size()), i % kMethods.size(), requests[i]});
  }
  totals.durationSeconds = static_cast<double>(nanos) / 1e9;
  // In-flight can be observed negative for a moment (start and finish on different shards).
  totals.inFlight = std::max<std::int64_t>(0, totals.inFlight);
  return totals;
}

void AgentMetrics::countUpstreamError(UpstreamError error) {
  upstreamErrors_[static_cast<std::size_t>(error)].fetch_add(1, std::memory_order_relaxed);
}

void AgentMetrics::countClientError(ClientError error) {
  clientErrors_[static_cast<std::size_t>(error)].fetch_add(1, std::memory_order_relaxed);
}

void AgentMetrics::countFaultInjected(FaultType type) {
  faultsInjected_[static_cast<std::size_t>(type)].fetch_add(1, std::memory_order_relaxed);
}

std::uint64_t AgentMetrics::upstreamErrors(UpstreamError error) const {
  return upstreamErrors_[static_cast<std::size_t>(error)].load(std::memory_order_relaxed);
}

std::uint64_t AgentMetrics::clientErrors(ClientError error) const {
  return clientErrors_[static_cast<std::size_t>(error)].load(std::memory_order_relaxed);
}

std::uint64_t AgentMetrics::faultsInjected(FaultType type) const {
  return faultsInjected_[static_cast<std::size_t>(type)].load(std::memory_order_relaxed);
}

}  // namespace kubeheal::agent
