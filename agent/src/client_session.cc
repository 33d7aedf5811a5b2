#include "client_session.h"

#include <sys/socket.h>

#include <cerrno>
#include <limits>

#include "beast_request_view.h"

namespace kubeheal::agent {
namespace {

// Bodies are streamed, never held whole, so there is no size limit. (body_limit(boost::none)
// is broken in Boost 1.74: it compares the length against an empty optional.)
constexpr std::uint64_t kNoBodyLimit = std::numeric_limits<std::uint64_t>::max();
constexpr std::size_t kRelayBufferBytes = std::size_t{16} * 1024;
constexpr std::size_t kUpstreamHeaderLimit = std::size_t{64} * 1024;
constexpr auto kHoldPollInterval = std::chrono::milliseconds(100);

bool isConnectionReset(const error_code& ec) {
  return ec == asio::error::connection_reset || ec == asio::error::broken_pipe ||
         ec == asio::error::eof || ec == http::error::end_of_stream ||
         ec == http::error::partial_message;
}

// Hop-by-hop headers (RFC 9110 7.6.1) are for one connection only and never forwarded.
template <class Fields>
void removeHopByHop(Fields& fields) {
  if (auto connection = fields.find(http::field::connection); connection != fields.end()) {
    // Headers named in Connection are hop-by-hop too (except the framing ones Beast manages).
    for (const auto& token : http::token_list(connection->value())) {
      const auto name = beast::string_view(token.data(), token.size());
      if (!beast::iequals(name, "close") && !beast::iequals(name, "keep-alive") &&
          !beast::iequals(name, "transfer-encoding") && !beast::iequals(name, "content-length")) {
        fields.erase(name);
      }
    }
    fields.erase(http::field::connection);
  }
  fields.erase(http::field::keep_alive);
  fields.erase(http::field::proxy_connection);
  fields.erase(http::field::upgrade);
  fields.erase(http::field::te);
  fields.erase(http::field::proxy_authenticate);
  fields.erase(http::field::proxy_authorization);
}

}  // namespace

ClientSession::ClientSession(std::shared_ptr<WorkerState> worker, tcp::socket socket)
    : workerOwner_(std::move(worker)),
      worker_(*workerOwner_),
      context_(worker_.context),
      socket_(std::move(socket)),
      buffer_(context_.config.maxHeaderBytes + 1024),
      watchdog_(socket_.get_executor(), context_.time, [this] {
        // Timeouts cancel whatever is pending; the coroutine sees operation_aborted and
        // watchdog_.expired() and answers 408/504 or closes.
        error_code ignored;
        socket_.cancel(ignored);
        if (upstream_) upstream_->socket.cancel(ignored);
      }) {
  error_code ec;
  const auto remote = socket_.remote_endpoint(ec);
  if (!ec) clientAddress_ = remote.address().to_string(ec);
  worker_.sessions.insert(this);
  worker_.openSessions.fetch_add(1, std::memory_order_relaxed);
}

ClientSession::~ClientSession() {
  worker_.sessions.erase(this);
  worker_.openSessions.fetch_sub(1, std::memory_order_relaxed);
}

void ClientSession::closeIfIdle() {
  closing_ = true;
  if (idle_) {
    error_code ignored;
    socket_.cancel(ignored);
  }
}

asio::awaitable<void> ClientSession::run() {
  const AgentConfig& config = context_.config;
  bool first = true;
  while (!closing_ && !context_.draining.load(std::memory_order_relaxed)) {
    RequestParser parser;
    parser.header_limit(static_cast<std::uint32_t>(config.maxHeaderBytes));
    parser.body_limit(kNoBodyLimit);
    idle_ = true;
    watchdog_.reset();
    watchdog_.arm(first ? config.headerTimeout : config.idleTimeout);
    error_code ec;
    co_await http::async_read_header(socket_, buffer_, parser, awaitWith(ec));
    idle_ = false;
    if (ec) {
      co_await onReadError(ec);
      break;
    }
    first = false;
    if (!co_await serveOne(parser)) break;
  }
  watchdog_.disarm();
  error_code ignored;
  socket_.shutdown(tcp::socket::shutdown_send, ignored);
  socket_.close(ignored);
}

asio::awaitable<void> ClientSession::onReadError(const error_code& ec) {
  const bool partial = buffer_.size() > 0;
  if (watchdog_.expired()) {
    if (partial) {
      // Slow client (e.g. slowloris): it had its time to send the headers.
      context_.metrics.countClientError(AgentMetrics::ClientError::kTimeout);
      co_await reply(408, "kubeheal-agent: request header timeout\n", {}, false);
      count(408, AgentMetrics::methodIndex("OTHER"), context_.time.SteadyNow());
    }
    co_return;
  }
  if (ec == asio::error::operation_aborted || ec == http::error::end_of_stream ||
      ec == asio::error::eof) {
    co_return;  // closed by the client between requests, or by draining
  }
  if (isConnectionReset(ec)) {
    if (partial) context_.metrics.countClientError(AgentMetrics::ClientError::kReset);
    co_return;
  }
  if (ec == http::error::header_limit || ec == http::error::buffer_overflow) {
    context_.metrics.countClientError(AgentMetrics::ClientError::kHeaderTooLarge);
    co_await reply(431, "kubeheal-agent: request header fields too large\n", {}, false);
    count(431, AgentMetrics::methodIndex("OTHER"), context_.time.SteadyNow());
    co_return;
  }
  context_.metrics.countClientError(AgentMetrics::ClientError::kBadRequest);
  co_await reply(400, "kubeheal-agent: malformed request\n", {}, false);
  count(400, AgentMetrics::methodIndex("OTHER"), context_.time.SteadyNow());
}

void ClientSession::count(int status, std::size_t methodIndex,
                          std::chrono::steady_clock::time_point start) {
  const double seconds = std::chrono::duration<double>(context_.time.SteadyNow() - start).count();
  worker_.shard.countRequest(status, methodIndex, seconds);
}

asio::awaitable<bool> ClientSession::serveOne(RequestParser& parser) {
  const auto start = context_.time.SteadyNow();
  auto& request = parser.get();
  const auto methodText = request.method_string();
  const std::size_t methodIndex =
      AgentMetrics::methodIndex(std::string_view(methodText.data(), methodText.size()));
  worker_.shard.requestStarted();
  struct InFlight {
    AgentMetrics::Shard& shard;
    ~InFlight() { shard.requestFinished(); }
  } inFlight{worker_.shard};

  // An agent reply leaves an unread request body behind; closing is simpler than draining it.
  const bool bodyPending = !parser.is_done();
  const bool canKeepAlive = request.keep_alive() && !bodyPending;

  if (request.method() == http::verb::connect) {
    co_await answer(405, "kubeheal-agent: CONNECT is not supported\n", {}, false, methodIndex,
                    start);
    co_return false;
  }

  const Throttle::Admission throttled = context_.throttle.admit();
  if (!throttled.allowed) {
    context_.metrics.countThrottled();
    co_return co_await answer(429, "kubeheal-agent: throttled\n", throttled.retryAfter,
                              canKeepAlive, methodIndex, start);
  }

  const CircuitBreaker::Admission admission = context_.circuit.admit();
  if (!admission.allowed) {
    context_.metrics.countCircuitRejected();
    co_return co_await answer(503, "kubeheal-agent: circuit open\n", admission.retryAfter,
                              canKeepAlive, methodIndex, start);
  }

  RequestFaultDecision decision;
  const FaultSnapshot& faults = worker_.faultCache.current();
  if (!faults.empty()) {
    const BeastRequestView view(request);
    decision = faults.decide(view, start, context_.random);
  }
  if (decision.delay.count() > 0) {
    context_.metrics.countFaultInjected(FaultType::kLatency);
    watchdog_.disarm();
    asio::steady_timer delay(socket_.get_executor());
    delay.expires_after(decision.delay);
    error_code ec;
    co_await delay.async_wait(awaitWith(ec));
  }

  switch (decision.action) {
    case RequestFaultDecision::Action::kAbort:
      context_.metrics.countFaultInjected(FaultType::kAbort);
      context_.circuit.record(admission, CircuitBreaker::Outcome::kFailure);
      abortConnection();
      co_return false;
    case RequestFaultDecision::Action::kHang:
      context_.metrics.countFaultInjected(FaultType::kHang);
      co_await hold(decision);
      context_.circuit.record(admission, CircuitBreaker::Outcome::kNeutral);
      co_return false;
    case RequestFaultDecision::Action::kHttpError: {
      context_.metrics.countFaultInjected(FaultType::kHttpError);
      const int status = decision.fault->spec.params.status;
      const bool keep = co_await answer(status, decision.fault->spec.params.body, {}, canKeepAlive,
                                        methodIndex, start);
      context_.circuit.record(admission, status >= 500 ? CircuitBreaker::Outcome::kFailure
                                                       : CircuitBreaker::Outcome::kSuccess);
      co_return keep;
    }
    case RequestFaultDecision::Action::kForward:
      break;
  }

  const Forwarded forwarded = co_await forward(parser, request.keep_alive());
  if (forwarded.status == 0) {
    context_.circuit.record(admission, CircuitBreaker::Outcome::kNeutral);
    co_return false;
  }
  count(forwarded.status, methodIndex, start);
  context_.circuit.record(admission, forwarded.status >= 500 ? CircuitBreaker::Outcome::kFailure
                                                             : CircuitBreaker::Outcome::kSuccess);
  co_return forwarded.keepAlive;
}

asio::awaitable<bool> ClientSession::reply(int status, std::string_view body,
                                           std::chrono::seconds retryAfter, bool keepAlive) {
  keepAlive = keepAlive && !context_.draining.load(std::memory_order_relaxed);
  const auto reason = http::obsolete_reason(static_cast<http::status>(status));
  std::string response;
  response.reserve(160 + body.size());
  response.append("HTTP/1.1 ").append(std::to_string(status)).append(" ");
  response.append(reason.data(), reason.size());
  response.append("\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ");
  response.append(std::to_string(body.size()));
  if (retryAfter.count() > 0) {
    response.append("\r\nRetry-After: ").append(std::to_string(retryAfter.count()));
  }
  response.append(keepAlive ? "\r\nConnection: keep-alive\r\n\r\n"
                            : "\r\nConnection: close\r\n\r\n");
  response.append(body);
  watchdog_.arm(context_.config.bodyTimeout);
  error_code ec;
  co_await asio::async_write(socket_, asio::buffer(response), awaitWith(ec));
  co_return keepAlive && !ec;
}

asio::awaitable<bool> ClientSession::answer(int status, std::string_view body,
                                            std::chrono::seconds retryAfter, bool keepAlive,
                                            std::size_t methodIndex,
                                            std::chrono::steady_clock::time_point start) {
  const bool keep = co_await reply(status, body, retryAfter, keepAlive);
  count(status, methodIndex, start);
  co_return keep;
}

void ClientSession::abortConnection() {
  // SO_LINGER with a zero timeout makes close() send a TCP RST: the client sees a reset.
  error_code ignored;
  socket_.set_option(asio::socket_base::linger(true, 0), ignored);
  socket_.close(ignored);
}

asio::awaitable<void> ClientSession::hold(const RequestFaultDecision& decision) {
  watchdog_.disarm();
  asio::steady_timer timer(socket_.get_executor());
  while (decision.fault->activeAt(context_.time.SteadyNow()) &&
         !context_.draining.load(std::memory_order_relaxed)) {
    timer.expires_after(kHoldPollInterval);
    error_code ec;
    co_await timer.async_wait(awaitWith(ec));
    // The client gave up when its side reads as closed (0) or failed; data is simply left.
    char byte = 0;
    const ssize_t n = ::recv(socket_.native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)) break;
  }
}

void ClientSession::prepareUpstreamRequest(http::request<http::buffer_body>& request) {
  removeHopByHop(request);
  request.version(11);
  std::string forwardedFor;
  if (auto existing = request.find("X-Forwarded-For"); existing != request.end()) {
    forwardedFor.assign(existing->value().data(), existing->value().size());
    forwardedFor.append(", ");
  }
  forwardedFor.append(clientAddress_);
  request.set("X-Forwarded-For", forwardedFor);
}

template <class InputParser, class Serializer>
asio::awaitable<ClientSession::RelayResult> ClientSession::relayBody(
    tcp::socket& input, beast::flat_buffer& inputBuffer, InputParser& parser, tcp::socket& output,
    Serializer& serializer, std::chrono::milliseconds readTimeout) {
  if (!relayBuffer_) relayBuffer_ = std::make_unique<char[]>(kRelayBufferBytes);
  char* const chunk = relayBuffer_.get();
  auto& body = parser.get().body();
  do {
    if (!parser.is_done()) {
      body.data = chunk;
      body.size = kRelayBufferBytes;
      watchdog_.arm(readTimeout);
      error_code ec;
      co_await http::async_read_some(input, inputBuffer, parser, awaitWith(ec));
      if (ec == http::error::need_buffer) ec = {};
      if (ec) co_return RelayResult::kInputFailed;
      body.size = kRelayBufferBytes - body.size;
      body.more = !parser.is_done();
      // Nothing new (e.g. only a chunk header, or the last chunk, arrived): handing the
      // serializer an empty buffer would make it emit an extra zero-sized chunk.
      body.data = body.size > 0 ? chunk : nullptr;
      if (body.size == 0 && body.more) continue;
    } else {
      body.data = nullptr;
      body.size = 0;
      body.more = false;
    }
    watchdog_.arm(context_.config.bodyTimeout);
    error_code ec;
    co_await http::async_write(output, serializer, awaitWith(ec));
    if (ec == http::error::need_buffer) ec = {};
    if (ec) co_return RelayResult::kOutputFailed;
  } while (!serializer.is_done());
  co_return RelayResult::kOk;
}

asio::awaitable<ClientSession::Forwarded> ClientSession::forward(RequestParser& parser,
                                                                 bool clientKeepAlive) {
  const AgentConfig& config = context_.config;
  UpstreamPool& pool = worker_.pool;
  auto& request = parser.get();
  const bool isHead = request.method() == http::verb::head;
  const int clientVersion = static_cast<int>(request.version());

  if (auto expect = request.find(http::field::expect); expect != request.end()) {
    // Answer "100 Continue" ourselves so the client sends its body while we stream it.
    const bool wantsContinue = beast::iequals(expect->value(), "100-continue");
    request.erase(http::field::expect);
    if (wantsContinue && !parser.is_done()) {
      static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
      error_code ec;
      co_await asio::async_write(socket_, asio::buffer(kContinue.data(), kContinue.size()),
                                 awaitWith(ec));
      if (ec) co_return Forwarded{};
    }
  }
  prepareUpstreamRequest(request);
  const bool requestHasBody = !parser.is_done();

  auto upstreamFailure = [&](AgentMetrics::UpstreamError error) -> asio::awaitable<Forwarded> {
    context_.metrics.countUpstreamError(error);
    const bool timeout = error == AgentMetrics::UpstreamError::kTimeout;
    const int status = timeout ? 504 : 502;
    const bool keep = co_await reply(
        status,
        timeout ? "kubeheal-agent: upstream timeout\n" : "kubeheal-agent: upstream unavailable\n",
        {}, clientKeepAlive && parser.is_done());
    co_return Forwarded{status, keep};
  };

  std::unique_ptr<UpstreamConnection> connection;
  std::optional<ResponseParser> response;
  for (int attempt = 0; attempt < 2; ++attempt) {
    connection = attempt == 0 ? pool.takeIdle() : nullptr;
    if (!connection) {
      connection = pool.makeNew();
      upstream_ = connection.get();
      watchdog_.reset();
      watchdog_.arm(config.upstreamConnectTimeout);
      error_code ec;
      co_await connection->socket.async_connect(pool.endpoint(), awaitWith(ec));
      if (ec) {
        const bool timedOut = watchdog_.expired();
        upstream_ = nullptr;
        pool.discard(std::move(connection));
        co_return co_await upstreamFailure(timedOut ? AgentMetrics::UpstreamError::kTimeout
                                                    : AgentMetrics::UpstreamError::kConnect);
      }
      connection->socket.set_option(tcp::no_delay(true), ec);
    }
    upstream_ = connection.get();
    watchdog_.reset();

    http::request_serializer<http::buffer_body> requestWriter(request);
    const RelayResult sent = co_await relayBody(socket_, buffer_, parser, connection->socket,
                                                requestWriter, config.bodyTimeout);
    if (sent == RelayResult::kInputFailed) {
      // The client broke off while sending its body: nothing to answer.
      upstream_ = nullptr;
      pool.discard(std::move(connection));
      context_.metrics.countClientError(watchdog_.expired() ? AgentMetrics::ClientError::kTimeout
                                                            : AgentMetrics::ClientError::kReset);
      co_return Forwarded{};
    }
    const bool retryable = connection->reused && attempt == 0 && !requestHasBody;
    if (sent == RelayResult::kOutputFailed) {
      upstream_ = nullptr;
      const bool timedOut = watchdog_.expired();
      pool.discard(std::move(connection));
      if (retryable && !timedOut) continue;
      co_return co_await upstreamFailure(timedOut ? AgentMetrics::UpstreamError::kTimeout
                                                  : AgentMetrics::UpstreamError::kReset);
    }

    error_code ec;
    response.emplace();
    for (;;) {
      response->header_limit(kUpstreamHeaderLimit);
      response->body_limit(kNoBodyLimit);
      if (isHead) response->skip(true);
      watchdog_.arm(config.upstreamTimeout);
      co_await http::async_read_header(connection->socket, connection->buffer, *response,
                                       awaitWith(ec));
      if (ec) break;
      const unsigned code = response->get().result_int();
      if (code < 100 || code >= 200 || code == 101) break;
      response.emplace();  // an interim 1xx response: the real one follows
    }
    if (!ec && response->get().result_int() == 101) ec = http::error::bad_value;
    if (ec) {
      const bool timedOut = watchdog_.expired();
      upstream_ = nullptr;
      pool.discard(std::move(connection));
      if (retryable && !timedOut && isConnectionReset(ec)) continue;
      co_return co_await upstreamFailure(timedOut ? AgentMetrics::UpstreamError::kTimeout
                                         : isConnectionReset(ec)
                                             ? AgentMetrics::UpstreamError::kReset
                                             : AgentMetrics::UpstreamError::kProtocol);
    }
    break;
  }
  if (!connection) co_return co_await upstreamFailure(AgentMetrics::UpstreamError::kReset);

  auto& message = response->get();
  const int status = static_cast<int>(message.result_int());
  removeHopByHop(message);
  const bool bodyless = isHead || status == 204 || status == 304 || response->is_done();
  bool keepAlive = clientKeepAlive && !context_.draining.load(std::memory_order_relaxed);
  if (!bodyless && !message.chunked() && !response->content_length()) {
    // The app ends its body by closing: re-frame it as chunked for HTTP/1.1 clients.
    if (clientVersion >= 11) {
      message.chunked(true);
    } else {
      keepAlive = false;
    }
  }
  if (clientVersion < 11 && message.chunked()) {
    message.chunked(false);  // HTTP/1.0 clients read until close
    keepAlive = false;
  }
  message.version(11);
  message.keep_alive(keepAlive);

  http::response_serializer<http::buffer_body> responseWriter(message);
  // Every path above that moved `connection` away continued the loop or returned, and the
  // null check right above covers the rest.
  // NOLINTNEXTLINE(bugprone-use-after-move)
  const RelayResult relayed = co_await relayBody(connection->socket, connection->buffer, *response,
                                                 socket_, responseWriter, config.upstreamTimeout);
  upstream_ = nullptr;
  if (relayed != RelayResult::kOk) {
    if (relayed == RelayResult::kInputFailed) {
      context_.metrics.countUpstreamError(watchdog_.expired()
                                              ? AgentMetrics::UpstreamError::kTimeout
                                              : AgentMetrics::UpstreamError::kReset);
    }
    pool.discard(std::move(connection));
    co_return Forwarded{status, false};  // headers went out; the client sees a cut body
  }
  if (response->keep_alive() && response->is_done()) {
    pool.giveBack(std::move(connection));
  } else {
    pool.discard(std::move(connection));
  }
  co_return Forwarded{status, keepAlive};
}

}  // namespace kubeheal::agent
