#include "upstream_pool.h"

#include <sys/socket.h>

#include <cerrno>

namespace kubeheal::agent {
namespace {

constexpr std::size_t kUpstreamBufferLimit = std::size_t{64} * 1024;

// An idle keep-alive connection is only worth reusing if the app has not closed it meanwhile
// and sent nothing unasked; a non-blocking peek tells both without a round trip.
bool looksAlive(tcp::socket& socket) {
  char byte = 0;
  const ssize_t n = ::recv(socket.native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
}

}  // namespace

UpstreamPool::UpstreamPool(asio::any_io_executor executor, tcp::endpoint upstream,
                           std::size_t maxIdle, AgentMetrics::Shard& metrics)
    : executor_(std::move(executor)),
      upstream_(std::move(upstream)),
      maxIdle_(maxIdle),
      metrics_(metrics) {}

std::unique_ptr<UpstreamConnection> UpstreamPool::takeIdle() {
  while (!idle_.empty()) {
    std::unique_ptr<UpstreamConnection> connection = std::move(idle_.back());
    idle_.pop_back();
    if (looksAlive(connection->socket)) {
      connection->reused = true;
      ++active_;
      publish();
      return connection;
    }
    error_code ignored;
    connection->socket.close(ignored);
  }
  publish();
  return nullptr;
}

std::unique_ptr<UpstreamConnection> UpstreamPool::makeNew() {
  ++active_;
  publish();
  return std::make_unique<UpstreamConnection>(executor_, kUpstreamBufferLimit);
}

void UpstreamPool::giveBack(std::unique_ptr<UpstreamConnection> connection) {
  --active_;
  if (idle_.size() < maxIdle_ && connection->socket.is_open() && connection->buffer.size() == 0) {
    idle_.push_back(std::move(connection));
  } else {
    error_code ignored;
    connection->socket.close(ignored);
  }
  publish();
}

void UpstreamPool::discard(std::unique_ptr<UpstreamConnection> connection) {
  --active_;
  if (connection) {
    error_code ignored;
    connection->socket.close(ignored);
  }
  publish();
}

void UpstreamPool::closeAll() {
  for (auto& connection : idle_) {
    error_code ignored;
    connection->socket.close(ignored);
  }
  idle_.clear();
  publish();
}

void UpstreamPool::publish() {
  metrics_.setUpstreamConnections(static_cast<std::int64_t>(idle_.size()), active_);
}

}  // namespace kubeheal::agent
