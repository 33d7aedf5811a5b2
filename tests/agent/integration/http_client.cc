#include "http_client.h"

// clang-format off
// Boost 1.74's awaitable.hpp uses std::exchange without including <utility>: keep it first.
#include <utility>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
// clang-format on

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

namespace kubeheal::agent::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

struct HttpClient::Impl {
  Impl(std::uint16_t port, std::chrono::milliseconds timeout)
      : endpoint(asio::ip::make_address("127.0.0.1"), port), timeout(timeout), stream(io) {}

  beast::error_code run(std::function<void(std::function<void(beast::error_code)>)> start) {
    beast::error_code result = asio::error::timed_out;
    stream.expires_after(timeout);
    start([&](beast::error_code ec) { result = ec; });
    io.restart();
    io.run();
    return result;
  }

  asio::io_context io;
  tcp::endpoint endpoint;
  std::chrono::milliseconds timeout;
  beast::tcp_stream stream;
  beast::flat_buffer buffer;
  bool open = false;
};

HttpClient::HttpClient(std::uint16_t port, std::chrono::milliseconds timeout)
    : impl_(std::make_unique<Impl>(port, timeout)) {}

HttpClient::~HttpClient() = default;

HttpResult HttpClient::request(const std::string& method, const std::string& target,
                               const std::string& body,
                               const std::map<std::string, std::string>& headers, bool chunked) {
  HttpResult result;
  Impl& impl = *impl_;
  for (int attempt = 0; attempt < 2; ++attempt) {
    const bool reused = impl.open;
    if (!impl.open) {
      impl.stream.close();
      impl.buffer.clear();
      auto ec = impl.run([&](auto done) {
        impl.stream.async_connect(impl.endpoint, [done](beast::error_code ec) { done(ec); });
      });
      if (ec) {
        result.error = "connect: " + ec.message();
        return result;
      }
      impl.open = true;
      ++connections_;
    }
    http::request<http::string_body> request;
    request.method_string(method);
    request.target(target);
    request.version(11);
    request.set(http::field::host, "127.0.0.1");
    for (const auto& [name, value] : headers) request.set(name, value);
    request.body() = body;
    if (chunked) {
      request.chunked(true);
    } else if (!body.empty() || method == "POST" || method == "PUT") {
      request.prepare_payload();
    }
    auto ec = impl.run([&](auto done) {
      http::async_write(impl.stream, request,
                        [done](beast::error_code ec, std::size_t) { done(ec); });
    });
    http::response_parser<http::string_body> parser;
    parser.body_limit(1ULL << 34);
    if (method == "HEAD") parser.skip(true);
    if (!ec) {
      ec = impl.run([&](auto done) {
        http::async_read(impl.stream, impl.buffer, parser,
                         [done](beast::error_code ec, std::size_t) { done(ec); });
      });
    }
    if (ec) {
      impl.open = false;
      impl.stream.close();
      // A kept-alive connection the server closed meanwhile: try once on a new one.
      if (reused && (ec == http::error::end_of_stream || ec == asio::error::connection_reset ||
                     ec == asio::error::eof || ec == asio::error::broken_pipe)) {
        continue;
      }
      result.error = ec.message();
      return result;
    }
    auto& response = parser.get();
    result.ok = true;
    result.status = static_cast<int>(response.result_int());
    result.body = std::move(response.body());
    result.chunked = response.chunked();
    for (const auto& field : response) {
      std::string name(field.name_string());
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      result.headers[name] = std::string(field.value());
    }
    if (!response.keep_alive()) {
      impl.open = false;
      impl.stream.close();
    }
    return result;
  }
  result.error = "retry failed";
  return result;
}

RawConnection::RawConnection(std::uint16_t port) {
  fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
    ::close(fd_);
    fd_ = -1;
  }
}

RawConnection::~RawConnection() {
  if (fd_ >= 0) ::close(fd_);
}

bool RawConnection::send(const std::string& bytes) {
  return fd_ >= 0 && ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL) ==
                         static_cast<ssize_t>(bytes.size());
}

std::string RawConnection::readUntilClose(std::chrono::milliseconds timeout, bool* closed,
                                          bool* reset) {
  std::string data;
  if (closed) *closed = false;
  if (reset) *reset = false;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (fd_ >= 0) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    pollfd pfd{fd_, POLLIN, 0};
    if (::poll(&pfd, 1, static_cast<int>(left.count())) <= 0) break;
    char buffer[4096];
    const ssize_t n = ::recv(fd_, buffer, sizeof(buffer), 0);
    if (n == 0) {
      if (closed) *closed = true;
      break;
    }
    if (n < 0) {
      if (closed) *closed = true;
      if (reset) *reset = errno == ECONNRESET;
      break;
    }
    data.append(buffer, static_cast<std::size_t>(n));
  }
  return data;
}

}  // namespace kubeheal::agent::testing
