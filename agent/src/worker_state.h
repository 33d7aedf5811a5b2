#pragma once

#include <atomic>
#include <cstdint>
#include <unordered_set>

#include "kubeheal/agent/fault_snapshot_cache.h"
#include "proxy_context.h"
#include "upstream_pool.h"

namespace kubeheal::agent {

class ClientSession;

// Everything one worker thread owns; touched only on that thread (except `openSessions`, read
// by the draining main thread).
struct WorkerState {
  WorkerState(ProxyContext& context, AgentMetrics::Shard& shard, UpstreamPool& pool)
      : context(context), shard(shard), pool(pool), faultCache(context.faults) {}

  ProxyContext& context;
  AgentMetrics::Shard& shard;
  UpstreamPool& pool;
  FaultSnapshotCache faultCache;
  std::unordered_set<ClientSession*> sessions;
  std::atomic<std::int64_t> openSessions{0};
};

}  // namespace kubeheal::agent
