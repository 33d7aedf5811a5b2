#include "kubeheal/agent/proxy_server.h"

#include "asio_includes.h"
#include "proxy_context.h"
#include "proxy_worker.h"

namespace kubeheal::agent {

ProxyServer::ProxyServer(const AgentConfig& config, FaultRegistry& faults, CircuitBreaker& circuit,
                         Throttle& throttle, AgentMetrics& metrics, const Clock& time,
                         RandomSource& random)
    : config_(config),
      context_(std::make_unique<ProxyContext>(
          ProxyContext{config, faults, circuit, throttle, metrics, time, random, draining_})) {}

ProxyServer::~ProxyServer() { stop(); }

std::optional<std::string> ProxyServer::bind() {
  error_code ec;
  const auto upstreamAddress = asio::ip::make_address(config_.upstreamHost, ec);
  tcp::endpoint upstream;
  if (ec) {
    asio::io_context resolverContext;
    tcp::resolver resolver(resolverContext);
    const auto results =
        resolver.resolve(config_.upstreamHost, std::to_string(config_.upstreamPort), ec);
    if (ec || results.empty()) {
      return "cannot resolve upstream host " + config_.upstreamHost + ": " + ec.message();
    }
    upstream = results.begin()->endpoint();
  } else {
    upstream = tcp::endpoint(upstreamAddress, config_.upstreamPort);
  }
  const auto listenAddress = asio::ip::make_address(config_.listenHost, ec);
  if (ec) return "--listen: invalid address " + config_.listenHost;

  std::uint16_t port = config_.listenPort;
  for (unsigned i = 0; i < config_.threads; ++i) {
    auto worker = std::make_unique<ProxyWorker>(*context_, context_->metrics.shard(i), upstream);
    if (auto error = worker->listen(tcp::endpoint(listenAddress, port))) {
      return "cannot listen on " + config_.listenHost + ":" + std::to_string(port) + ": " +
             error.message();
    }
    port = worker->localEndpoint().port();  // port 0: the others join the one the first got
    workers_.push_back(std::move(worker));
  }
  port_ = port;
  return std::nullopt;
}

void ProxyServer::start() {
  for (auto& worker : workers_) worker->start();
}

void ProxyServer::beginDrain() {
  draining_.store(true);
  for (auto& worker : workers_) worker->beginDrain();
}

std::int64_t ProxyServer::openConnections() const {
  std::int64_t total = 0;
  for (const auto& worker : workers_) total += worker->openSessions();
  return total;
}

void ProxyServer::stop() {
  for (auto& worker : workers_) worker->stop();
  workers_.clear();
}

}  // namespace kubeheal::agent
