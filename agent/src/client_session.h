#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "asio_includes.h"
#include "kubeheal/agent/circuit_breaker.h"
#include "kubeheal/agent/request_fault_decision.h"
#include "watchdog.h"
#include "worker_state.h"

namespace kubeheal::agent {

// One client connection on the data path: reads requests (keep-alive), applies throttle,
// circuit and faults, relays to the upstream and back with bodies streamed in both directions.
// Lives on its worker's thread; kept alive by its running coroutine.
class ClientSession : public std::enable_shared_from_this<ClientSession> {
 public:
  using RequestParser = http::request_parser<http::buffer_body>;
  using ResponseParser = http::response_parser<http::buffer_body>;

  ClientSession(std::shared_ptr<WorkerState> worker, tcp::socket socket);
  ~ClientSession();

  asio::awaitable<void> run();
  // Draining: a connection waiting for its next request is closed now.
  void closeIfIdle();

 private:
  enum class RelayResult { kOk, kInputFailed, kOutputFailed };
  struct Forwarded {
    int status = 0;          // what the client got; 0 if the connection broke first
    bool keepAlive = false;  // the client connection may serve another request
  };

  asio::awaitable<void> onReadError(const error_code& ec);
  asio::awaitable<bool> serveOne(RequestParser& parser);
  asio::awaitable<Forwarded> forward(RequestParser& parser, bool keepAlive);
  asio::awaitable<bool> reply(int status, std::string_view body, std::chrono::seconds retryAfter,
                              bool keepAlive);
  // reply() to a request the agent answers itself, counted in the request metrics from `start`.
  asio::awaitable<bool> answer(int status, std::string_view body, std::chrono::seconds retryAfter,
                               bool keepAlive, std::size_t methodIndex,
                               std::chrono::steady_clock::time_point start);
  asio::awaitable<void> hold(const RequestFaultDecision& decision);
  template <class InputParser, class Serializer>
  asio::awaitable<RelayResult> relayBody(tcp::socket& input, beast::flat_buffer& inputBuffer,
                                         InputParser& parser, tcp::socket& output,
                                         Serializer& serializer,
                                         std::chrono::milliseconds readTimeout);
  void prepareUpstreamRequest(http::request<http::buffer_body>& request);
  void abortConnection();
  void count(int status, std::size_t methodIndex, std::chrono::steady_clock::time_point start);

  std::shared_ptr<WorkerState> workerOwner_;
  WorkerState& worker_;
  ProxyContext& context_;
  tcp::socket socket_;
  beast::flat_buffer buffer_;
  Watchdog watchdog_;
  std::unique_ptr<char[]> relayBuffer_;
  std::string clientAddress_;
  UpstreamConnection* upstream_ = nullptr;  // in use by the current request, for the watchdog
  bool idle_ = true;
  bool closing_ = false;
};

}  // namespace kubeheal::agent
