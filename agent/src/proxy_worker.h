#pragma once

#include <memory>
#include <thread>

#include "asio_includes.h"
#include "proxy_context.h"
#include "upstream_pool.h"
#include "worker_state.h"

namespace kubeheal::agent {

// One data-path thread: its io_context, listening socket, upstream pool and sessions.
class ProxyWorker {
 public:
  ProxyWorker(ProxyContext& context, AgentMetrics::Shard& shard, tcp::endpoint upstream);
  ~ProxyWorker();

  error_code listen(const tcp::endpoint& endpoint);
  tcp::endpoint localEndpoint() const;
  void start();
  // Thread-safe: posted to the worker's thread.
  void beginDrain();
  std::int64_t openSessions() const { return state_->openSessions.load(); }
  void stop();

 private:
  asio::awaitable<void> acceptLoop();

  ProxyContext& context_;
  asio::io_context io_{1};
  tcp::acceptor acceptor_;
  UpstreamPool pool_;
  // Shared with the sessions: their coroutine frames may outlive this object's members when
  // io_ is destroyed last.
  std::shared_ptr<WorkerState> state_;
  std::thread thread_;
};

}  // namespace kubeheal::agent
