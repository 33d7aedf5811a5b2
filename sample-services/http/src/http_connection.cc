#include "kubeheal/sample_http/http_connection.h"

#include <optional>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace kubeheal::samples {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

struct HttpConnection::Impl {
  Impl(std::string h, std::string p) : host(std::move(h)), port(std::move(p)) {}

  // Runs the private io_context until the pending operation completes. Beast's timeouts
  // only apply to asynchronous operations, hence async calls driven synchronously.
  void RunPending() {
    ioc.restart();
    ioc.run();
  }

  beast::error_code Connect(std::chrono::milliseconds timeout) {
    beast::error_code ec;
    if (endpoints.empty()) {
      tcp::resolver resolver(ioc);
      auto results = resolver.resolve(host, port, ec);
      if (ec) return ec;
      endpoints.assign(results.begin(), results.end());
    }
    stream.emplace(ioc);
    stream->expires_after(timeout);
    stream->async_connect(endpoints, [&ec](beast::error_code e, const tcp::endpoint&) { ec = e; });
    RunPending();
    if (ec) {
      stream.reset();
      endpoints.clear();  // resolve again next time: the address may have changed
    } else {
      stream->socket().set_option(tcp::no_delay(true), ec);
    }
    return ec;
  }

  // One exchange on the open stream. `answered_nothing` tells whether the server closed
  // without answering a byte: the signature of a stale keep-alive connection.
  beast::error_code Exchange(const ClientRequest& request, ClientResponse& out,
                             bool& answered_nothing) {
    http::request<http::string_body> req{http::string_to_verb(request.method), request.target, 11};
    req.set(http::field::host, host);
    req.set(http::field::user_agent, "kubeheal-sample");
    req.keep_alive(true);
    if (!request.body.empty()) {
      req.set(http::field::content_type, "application/json");
      req.body() = request.body;
    }
    req.prepare_payload();
    beast::error_code ec;
    stream->expires_after(request.timeout);
    http::async_write(*stream, req, [&ec](beast::error_code e, size_t) { ec = e; });
    RunPending();
    answered_nothing = true;
    if (ec) return ec;
    http::response_parser<http::string_body> parser;
    parser.body_limit(16 << 20);
    http::async_read(*stream, buffer, parser, [&ec](beast::error_code e, size_t) { ec = e; });
    RunPending();
    if (ec) {
      answered_nothing = (ec == http::error::end_of_stream || ec == net::error::connection_reset ||
                          ec == net::error::eof) &&
                         !parser.got_some();
      return ec;
    }
    answered_nothing = false;
    auto res = parser.release();
    out.status = static_cast<int>(res.result_int());
    out.body = std::move(res.body());
    if (!res.keep_alive()) Drop();
    return ec;
  }

  void Drop() {
    if (!stream) return;
    beast::error_code ignored;
    stream->socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream.reset();
    buffer.clear();
  }

  std::string host;
  std::string port;
  net::io_context ioc{1};
  std::vector<tcp::endpoint> endpoints;
  std::optional<beast::tcp_stream> stream;
  beast::flat_buffer buffer;
};

HttpConnection::HttpConnection(std::string host, std::string port)
    : impl_(std::make_unique<Impl>(std::move(host), std::move(port))) {}

HttpConnection::~HttpConnection() { impl_->Drop(); }

Result<ClientResponse> HttpConnection::Send(const ClientRequest& request) {
  const std::string where =
      request.method + " http://" + impl_->host + ":" + impl_->port + request.target;
  if (http::string_to_verb(request.method) == http::verb::unknown) {
    return Error::Invalid("unknown HTTP method '" + request.method + "'");
  }
  // A reused connection may have been closed by the server while idle; retry once on a fresh
  // one, but only when the server provably answered nothing.
  for (int attempt = 0; attempt < 2; ++attempt) {
    bool reused = impl_->stream.has_value();
    if (!reused) {
      if (auto ec = impl_->Connect(request.timeout)) {
        return Error::Retryable("Unavailable", where + ": connect failed: " + ec.message());
      }
    }
    ClientResponse response;
    bool answered_nothing = false;
    beast::error_code ec = impl_->Exchange(request, response, answered_nothing);
    if (!ec) return response;
    impl_->Drop();
    if (!(reused && answered_nothing)) {
      std::string reason = ec == beast::error::timeout ? "timed out" : ec.message();
      return Error::Retryable(ec == beast::error::timeout ? "Timeout" : "Unavailable",
                              where + ": " + reason);
    }
  }
  return Error::Retryable("Unavailable", where + ": connection closed by server");
}

}  // namespace kubeheal::samples
