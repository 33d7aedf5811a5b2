#include "kubeheal/agent/admin_server.h"

#include "asio_includes.h"

namespace kubeheal::agent {
namespace {

constexpr auto kAdminTimeout = std::chrono::seconds(30);

asio::awaitable<void> serveAdminConnection(AdminApi& api, beast::tcp_stream stream) {
  beast::flat_buffer buffer(std::size_t{32} * 1024);
  for (;;) {
    http::request_parser<http::string_body> parser;
    parser.header_limit(std::uint32_t{16} * 1024);
    parser.body_limit(AdminApi::kMaxBodyBytes);
    stream.expires_after(kAdminTimeout);
    error_code ec;
    co_await http::async_read(stream, buffer, parser, awaitWith(ec));
    AdminResponse response;
    bool keepAlive = false;
    if (ec == http::error::body_limit) {
      response.status = 413;
      response.body = R"({"error":"body_too_large","message":"the body exceeds 64 KiB"})"
                      "\n";
    } else if (ec == http::error::header_limit) {
      response.status = 431;
      response.body = R"({"error":"invalid_request","message":"header too large"})"
                      "\n";
    } else if (ec == http::error::end_of_stream || ec == asio::error::eof ||
               ec == asio::error::connection_reset || ec == beast::error::timeout ||
               ec == asio::error::operation_aborted) {
      break;
    } else if (ec) {
      response.status = 400;
      response.body = R"({"error":"invalid_request","message":"malformed HTTP request"})"
                      "\n";
    } else {
      const auto& request = parser.get();
      AdminRequest adminRequest;
      adminRequest.method = std::string(request.method_string());
      adminRequest.target = std::string(request.target());
      if (auto auth = request.find(http::field::authorization); auth != request.end()) {
        adminRequest.authorization = std::string(auth->value());
      }
      adminRequest.body = request.body();
      response = api.handle(adminRequest);
      keepAlive = request.keep_alive();
    }
    http::response<http::string_body> message;
    message.version(11);
    message.result(static_cast<unsigned>(response.status));
    message.set(http::field::content_type, response.contentType);
    message.set(http::field::server, "kubeheal-agent");
    for (const auto& [name, value] : response.headers) message.set(name, value);
    message.body() = std::move(response.body);
    message.keep_alive(keepAlive);
    message.prepare_payload();
    stream.expires_after(kAdminTimeout);
    co_await http::async_write(stream, message, awaitWith(ec));
    if (ec || !keepAlive) break;
  }
  error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
  stream.socket().close(ignored);
}

}  // namespace

struct AdminServer::Impl {
  Impl(AdminApi& api, std::string host, std::uint16_t port)
      : api(api), host(std::move(host)), port(port), acceptor(io) {}

  asio::awaitable<void> acceptLoop() {
    for (;;) {
      tcp::socket socket(io);
      error_code ec;
      co_await acceptor.async_accept(socket, awaitWith(ec));
      if (ec) {
        if (!acceptor.is_open()) co_return;
        asio::steady_timer pause(io, std::chrono::milliseconds(50));
        co_await pause.async_wait(awaitWith(ec));
        continue;
      }
      asio::co_spawn(io, serveAdminConnection(api, beast::tcp_stream(std::move(socket))),
                     [](const std::exception_ptr&) {});
    }
  }

  AdminApi& api;
  std::string host;
  std::uint16_t port;
  asio::io_context io{1};
  tcp::acceptor acceptor;
  std::thread thread;
};

AdminServer::AdminServer(AdminApi& api, std::string host, std::uint16_t port)
    : impl_(std::make_unique<Impl>(api, std::move(host), port)) {}

AdminServer::~AdminServer() { stop(); }

std::optional<std::string> AdminServer::bind() {
  error_code ec;
  const auto address = asio::ip::make_address(impl_->host, ec);
  if (ec) return "--admin: invalid address " + impl_->host;
  const tcp::endpoint endpoint(address, impl_->port);
  impl_->acceptor.open(endpoint.protocol(), ec);
  if (!ec) impl_->acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) impl_->acceptor.bind(endpoint, ec);
  if (!ec) impl_->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return "cannot listen on " + impl_->host + ":" + std::to_string(impl_->port) + ": " +
           ec.message();
  }
  return std::nullopt;
}

std::uint16_t AdminServer::port() const {
  error_code ec;
  return impl_->acceptor.local_endpoint(ec).port();
}

void AdminServer::start() {
  asio::co_spawn(impl_->io, impl_->acceptLoop(), [](const std::exception_ptr&) {});
  impl_->thread = std::thread([this] {
    for (;;) {
      try {
        impl_->io.run();
        return;
      } catch (...) {
      }
    }
  });
}

void AdminServer::stop() {
  impl_->io.stop();
  if (impl_->thread.joinable()) impl_->thread.join();
}

}  // namespace kubeheal::agent
