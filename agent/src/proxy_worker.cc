#include "proxy_worker.h"

#include <sys/socket.h>

#include <vector>

#include "client_session.h"

namespace kubeheal::agent {

ProxyWorker::ProxyWorker(ProxyContext& context, AgentMetrics::Shard& shard, tcp::endpoint upstream)
    : context_(context),
      acceptor_(io_),
      pool_(io_.get_executor(), std::move(upstream), context.config.upstreamMaxIdle, shard),
      state_(std::make_shared<WorkerState>(context, shard, pool_)) {}

ProxyWorker::~ProxyWorker() { stop(); }

error_code ProxyWorker::listen(const tcp::endpoint& endpoint) {
  error_code ec;
  acceptor_.open(endpoint.protocol(), ec);
  if (ec) return ec;
  acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  int one = 1;
  if (::setsockopt(acceptor_.native_handle(), SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) != 0) {
    return error_code(errno, boost::system::system_category());
  }
  acceptor_.bind(endpoint, ec);
  if (ec) return ec;
  acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  return ec;
}

tcp::endpoint ProxyWorker::localEndpoint() const {
  error_code ec;
  return acceptor_.local_endpoint(ec);
}

void ProxyWorker::start() {
  asio::co_spawn(io_, acceptLoop(), [](const std::exception_ptr&) {});
  thread_ = std::thread([this] {
    for (;;) {
      // A handler that throws (only allocation failure can) must not kill the data path.
      try {
        io_.run();
        return;
      } catch (...) {
      }
    }
  });
}

asio::awaitable<void> ProxyWorker::acceptLoop() {
  for (;;) {
    tcp::socket socket(io_);
    error_code ec;
    co_await acceptor_.async_accept(socket, awaitWith(ec));
    if (ec) {
      if (!acceptor_.is_open() || ec == asio::error::operation_aborted) co_return;
      // Out of descriptors or similar: back off a little instead of spinning.
      asio::steady_timer pause(io_, std::chrono::milliseconds(50));
      co_await pause.async_wait(awaitWith(ec));
      continue;
    }
    const FaultSnapshot& faults = state_->faultCache.current();
    if (!faults.empty() && faults.dropConnection(context_.time.SteadyNow(), context_.random)) {
      context_.metrics.countFaultInjected(FaultType::kTrafficDrop);
      socket.set_option(asio::socket_base::linger(true, 0), ec);
      socket.close(ec);
      continue;
    }
    socket.set_option(tcp::no_delay(true), ec);
    auto session = std::make_shared<ClientSession>(state_, std::move(socket));
    asio::co_spawn(io_, session->run(), [session](const std::exception_ptr&) {});
  }
}

void ProxyWorker::beginDrain() {
  asio::post(io_, [this] {
    error_code ignored;
    acceptor_.close(ignored);
    // Copy: closing may end sessions, which erase themselves from the set.
    std::vector<ClientSession*> sessions(state_->sessions.begin(), state_->sessions.end());
    for (ClientSession* session : sessions) session->closeIfIdle();
    pool_.closeAll();
  });
}

void ProxyWorker::stop() {
  io_.stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace kubeheal::agent
