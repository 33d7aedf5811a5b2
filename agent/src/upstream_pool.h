#pragma once

#include <cstddef>
#include <memory>
#include <vector>

#include "asio_includes.h"
#include "kubeheal/agent/agent_metrics.h"

namespace kubeheal::agent {

// A kept-alive connection to the app, with the read buffer that belongs to it.
struct UpstreamConnection {
  explicit UpstreamConnection(const asio::any_io_executor& executor, std::size_t bufferLimit)
      : socket(executor), buffer(bufferLimit) {}
  tcp::socket socket;
  beast::flat_buffer buffer;
  bool reused = false;
};

// Idle upstream connections of one worker thread (LIFO, so the warmest is reused first).
// Owned and used by that worker's thread only; no locking.
class UpstreamPool {
 public:
  UpstreamPool(asio::any_io_executor executor, tcp::endpoint upstream, std::size_t maxIdle,
               AgentMetrics::Shard& metrics);

  // A pooled connection that still looks alive, or null (the caller connects a new one).
  std::unique_ptr<UpstreamConnection> takeIdle();
  std::unique_ptr<UpstreamConnection> makeNew();
  // Returns a connection after a complete response that allows keep-alive.
  void giveBack(std::unique_ptr<UpstreamConnection> connection);
  // A connection taken from the pool (or made) is done with and closed.
  void discard(std::unique_ptr<UpstreamConnection> connection);
  void closeAll();
  const tcp::endpoint& endpoint() const { return upstream_; }

 private:
  void publish();

  asio::any_io_executor executor_;
  tcp::endpoint upstream_;
  std::size_t maxIdle_;
  AgentMetrics::Shard& metrics_;
  std::vector<std::unique_ptr<UpstreamConnection>> idle_;
  std::int64_t active_ = 0;
};

}  // namespace kubeheal::agent
