#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "kubeheal/agent/fault_type.h"

namespace kubeheal::agent {

// The data-path counters of agent/API.md. Each worker thread writes only its own Shard (relaxed
// atomics, no contention); the scraper sums the shards. Counters that change rarely (faults,
// errors) are agent-wide atomics.
class AgentMetrics {
 public:
  static constexpr std::array<std::string_view, 8> kMethods = {
      "GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "OTHER"};
  static constexpr std::array<double, 14> kDurationBuckets = {
      0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
  static constexpr int kMinCode = 100;
  static constexpr int kMaxCode = 599;

  enum class UpstreamError { kConnect, kTimeout, kReset, kProtocol };
  static constexpr std::array<std::string_view, 4> kUpstreamErrorNames = {"connect", "timeout",
                                                                          "reset", "protocol"};
  enum class ClientError { kBadRequest, kHeaderTooLarge, kTimeout, kReset };
  static constexpr std::array<std::string_view, 4> kClientErrorNames = {
      "bad_request", "header_too_large", "timeout", "reset"};

  class Shard {
   public:
    void countRequest(int code, std::size_t methodIndex, double seconds);
    void requestStarted() { inFlight_.fetch_add(1, std::memory_order_relaxed); }
    void requestFinished() { inFlight_.fetch_sub(1, std::memory_order_relaxed); }
    void setUpstreamConnections(std::int64_t idle, std::int64_t active) {
      upstreamIdle_.store(idle, std::memory_order_relaxed);
      upstreamActive_.store(active, std::memory_order_relaxed);
    }

   private:
    friend class AgentMetrics;
    static constexpr std::size_t kCodes = kMaxCode - kMinCode + 1;
    std::array<std::atomic<std::uint64_t>, kCodes * kMethods.size()> requests_{};
    std::array<std::atomic<std::uint64_t>, kDurationBuckets.size() + 1> buckets_{};
    std::atomic<std::uint64_t> durationNanos_{0};
    std::atomic<std::int64_t> inFlight_{0};
    std::atomic<std::int64_t> upstreamIdle_{0};
    std::atomic<std::int64_t> upstreamActive_{0};
  };

  struct Totals {
    // (code, methodIndex, count) for every non-zero pair.
    struct RequestCount {
      int code;
      std::size_t methodIndex;
      std::uint64_t count;
    };
    std::vector<RequestCount> requests;
    std::array<std::uint64_t, kDurationBuckets.size() + 1> buckets{};  // not cumulative
    double durationSeconds = 0;
    std::int64_t inFlight = 0;
    std::int64_t upstreamIdle = 0;
    std::int64_t upstreamActive = 0;
  };

  explicit AgentMetrics(std::size_t shards);

  static std::size_t methodIndex(std::string_view method);
  Shard& shard(std::size_t index) { return *shards_[index]; }
  std::size_t shardCount() const { return shards_.size(); }
  Totals totals() const;

  void countUpstreamError(UpstreamError error);
  void countClientError(ClientError error);
  void countFaultInjected(FaultType type);
  void countCircuitRejected() { circuitRejected_.fetch_add(1, std::memory_order_relaxed); }
  void countThrottled() { throttled_.fetch_add(1, std::memory_order_relaxed); }

  std::uint64_t upstreamErrors(UpstreamError error) const;
  std::uint64_t clientErrors(ClientError error) const;
  std::uint64_t faultsInjected(FaultType type) const;
  std::uint64_t circuitRejected() const { return circuitRejected_.load(); }
  std::uint64_t throttled() const { return throttled_.load(); }

 private:
  std::vector<std::unique_ptr<Shard>> shards_;
  std::array<std::atomic<std::uint64_t>, 4> upstreamErrors_{};
  std::array<std::atomic<std::uint64_t>, 4> clientErrors_{};
  std::array<std::atomic<std::uint64_t>, kFaultTypeCount> faultsInjected_{};
  std::atomic<std::uint64_t> circuitRejected_{0};
  std::atomic<std::uint64_t> throttled_{0};
};

}  // namespace kubeheal::agent
