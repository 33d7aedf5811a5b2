#include "test_upstream.h"

// clang-format off
// Boost 1.74's awaitable.hpp uses std::exchange without including <utility>: keep it first.
#include <utility>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
// clang-format on

#include <charconv>
#include <list>

namespace kubeheal::agent::testing {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

std::uint64_t queryNumber(std::string_view target, std::string_view key) {
  const auto at = target.find(std::string(key) + "=");
  if (at == std::string_view::npos) return 0;
  std::uint64_t value = 0;
  const auto digits = target.substr(at + key.size() + 1);
  std::from_chars(digits.data(), digits.data() + digits.size(), value);
  return value;
}

}  // namespace

struct TestUpstream::Impl {
  asio::io_context io;
  tcp::acceptor acceptor{io};
  std::thread acceptThread;
  std::mutex mutex;
  std::list<std::shared_ptr<tcp::socket>> sockets;  // guarded by mutex
  std::list<std::thread> threads;                   // guarded by mutex
  bool stopped = false;                             // guarded by mutex
};

TestUpstream::TestUpstream() : impl_(std::make_unique<Impl>()) {
  tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), 0);
  impl_->acceptor.open(endpoint.protocol());
  impl_->acceptor.set_option(asio::socket_base::reuse_address(true));
  impl_->acceptor.bind(endpoint);
  impl_->acceptor.listen();
  port_ = impl_->acceptor.local_endpoint().port();
  impl_->acceptThread = std::thread([this] {
    for (;;) {
      auto socket = std::make_shared<tcp::socket>(impl_->io);
      beast::error_code ec;
      impl_->acceptor.accept(*socket, ec);
      if (ec) return;
      accepted_++;
      std::lock_guard lock(impl_->mutex);
      if (impl_->stopped) return;
      impl_->sockets.push_back(socket);
      impl_->threads.emplace_back([this, socket] {
        beast::flat_buffer buffer;
        for (;;) {
          beast::error_code ec;
          http::request_parser<http::string_body> parser;
          parser.body_limit(1ULL << 32);
          http::read(*socket, buffer, parser, ec);
          if (ec) break;
          auto& request = parser.get();
          const std::string target(request.target());
          http::response<http::string_body> response{http::status::ok, 11};
          response.set(http::field::server, "test-upstream");
          if (target.rfind("/status/", 0) == 0) {
            response.result(static_cast<unsigned>(std::stoi(target.substr(8))));
            response.body() = "status " + target.substr(8) + "\n";
          } else if (target.rfind("/slow", 0) == 0) {
            std::this_thread::sleep_for(std::chrono::milliseconds(queryNumber(target, "ms")));
            response.body() = "slow\n";
          } else if (target.rfind("/bytes", 0) == 0 || target.rfind("/chunked", 0) == 0) {
            const auto n = queryNumber(target, "n");
            response.body().resize(n);
            for (std::uint64_t i = 0; i < n; ++i) response.body()[i] = patternByte(i);
            if (target.rfind("/chunked", 0) == 0) response.chunked(true);
          } else if (target.rfind("/echo", 0) == 0) {
            response.body() = request.body();
            if (request.chunked()) response.chunked(true);
          } else if (target.rfind("/headers", 0) == 0) {
            response.body() = std::string(request["X-Forwarded-For"]);
          } else {
            response.body() = "ok\n";
          }
          response.keep_alive(request.keep_alive());
          if (!response.chunked()) response.prepare_payload();
          served_++;  // before the write, so a client that has the response sees the count
          http::write(*socket, response, ec);
          if (ec || !request.keep_alive()) break;
        }
        beast::error_code ignored;
        socket->shutdown(tcp::socket::shutdown_both, ignored);
      });
    }
  });
}

TestUpstream::~TestUpstream() { stop(); }

void TestUpstream::stop() {
  {
    std::lock_guard lock(impl_->mutex);
    if (impl_->stopped) return;
    impl_->stopped = true;
  }
  beast::error_code ignored;
  // Wake the blocked accept() by connecting once; it then sees `stopped`.
  {
    tcp::socket poke(impl_->io);
    poke.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port_), ignored);
    if (impl_->acceptThread.joinable()) impl_->acceptThread.join();
  }
  impl_->acceptor.close(ignored);
  std::list<std::thread> threads;
  {
    std::lock_guard lock(impl_->mutex);
    for (auto& socket : impl_->sockets) socket->shutdown(tcp::socket::shutdown_both, ignored);
    threads.swap(impl_->threads);
  }
  for (auto& thread : threads) thread.join();
}

}  // namespace kubeheal::agent::testing
