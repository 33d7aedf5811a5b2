#include "kubeheal/sample_http/http_server.h"

#include <chrono>
#include <optional>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/version.hpp>

#include "kubeheal/sample_http/json_response.h"
#include "kubeheal/sample_http/url.h"

namespace kubeheal::samples {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

namespace {

constexpr auto kIdleTimeout = std::chrono::seconds(60);
constexpr size_t kBodyLimit = 1 << 20;

void ParseTarget(const std::string& target, HttpRequest& out) {
  size_t q = target.find('?');
  out.path = PercentDecode(target.substr(0, q));
  if (q == std::string::npos) return;
  std::string query = target.substr(q + 1);
  size_t start = 0;
  while (start < query.size()) {
    size_t amp = query.find('&', start);
    if (amp == std::string::npos) amp = query.size();
    std::string pair = query.substr(start, amp - start);
    size_t eq = pair.find('=');
    if (!pair.empty()) {
      out.query[PercentDecode(pair.substr(0, eq))] =
          eq == std::string::npos ? "" : PercentDecode(pair.substr(eq + 1));
    }
    start = amp + 1;
  }
}

// One client connection. Lives as long as an operation holds a shared_ptr to it; all its
// members are touched only by the handler running its current operation (one at a time).
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, const Router& router, ServiceMetrics& metrics)
      : stream_(std::move(socket)), router_(router), metrics_(metrics) {}

  void Start() { ReadRequest(); }

 private:
  void ReadRequest() {
    parser_.emplace();
    parser_->body_limit(kBodyLimit);
    stream_.expires_after(kIdleTimeout);
    http::async_read(stream_, buffer_, *parser_,
                     beast::bind_front_handler(&Session::OnRead, shared_from_this()));
  }

  void OnRead(beast::error_code ec, size_t) {
    if (ec == http::error::body_limit) {
      SendError(413, "request body larger than 1 MiB");
      return;
    }
    if (ec) {
      Close();
      return;
    }
    auto started = std::chrono::steady_clock::now();
    http::request<http::string_body> req = parser_->release();
    HttpRequest request;
    request.method = std::string(req.method_string());
    ParseTarget(std::string(req.target()), request);
    request.body = std::move(req.body());
    std::string route;
    metrics_.InFlight(1);
    HttpResponse response = router_.Dispatch(request, route);
    metrics_.InFlight(-1);
    double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    metrics_.ObserveRequest(route, request.method, response.status, seconds);
    Write(std::move(response), req.keep_alive(), req.version());
  }

  void SendError(int status, const std::string& message) {
    Write(JsonError(status, message), false, 11);
  }

  void Write(HttpResponse response, bool keep_alive, unsigned version) {
    response_ = {};
    response_.version(version);
    response_.result(static_cast<unsigned>(response.status));
    response_.set(http::field::server, "kubeheal-sample");
    response_.set(http::field::content_type, response.content_type);
    response_.keep_alive(keep_alive);
    response_.body() = std::move(response.body);
    response_.prepare_payload();
    http::async_write(stream_, response_,
                      beast::bind_front_handler(&Session::OnWrite, shared_from_this(), keep_alive));
  }

  void OnWrite(bool keep_alive, beast::error_code ec, size_t) {
    if (ec || !keep_alive) {
      Close();
      return;
    }
    ReadRequest();
  }

  void Close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  http::response<http::string_body> response_;
  const Router& router_;
  ServiceMetrics& metrics_;
};

}  // namespace

struct HttpServer::Impl {
  Impl(const Router& r, ServiceMetrics& m, int n)
      : router(r), metrics(m), thread_count(n < 1 ? 1 : n), ioc(thread_count), acceptor(ioc) {}

  void Accept() {
    acceptor.async_accept(net::make_strand(ioc), [this](beast::error_code ec, tcp::socket socket) {
      if (ec == net::error::operation_aborted || !acceptor.is_open()) return;
      if (!ec) std::make_shared<Session>(std::move(socket), router, metrics)->Start();
      Accept();
    });
  }

  const Router& router;
  ServiceMetrics& metrics;
  int thread_count;
  net::io_context ioc;
  tcp::acceptor acceptor;
  std::vector<std::thread> threads;
};

HttpServer::HttpServer(const Router& router, ServiceMetrics& metrics, int threads)
    : impl_(std::make_unique<Impl>(router, metrics, threads)) {}

HttpServer::~HttpServer() { Stop(); }

Result<unsigned short> HttpServer::Start(const HostPort& listen) {
  beast::error_code ec;
  auto address = net::ip::make_address(listen.host, ec);
  if (ec) return Error::Invalid("listen address '" + listen.host + "' is not an IP address");
  tcp::endpoint endpoint(address, listen.port);
  auto& acceptor = impl_->acceptor;
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec) {
    return Error::Terminal("ListenFailed", "cannot listen on " + listen.host + ":" +
                                               std::to_string(listen.port) + ": " + ec.message());
  }
  unsigned short port = acceptor.local_endpoint().port();
  impl_->Accept();
  for (int i = 0; i < impl_->thread_count; ++i) {
    impl_->threads.emplace_back([this] { impl_->ioc.run(); });
  }
  return port;
}

void HttpServer::Stop() {
  if (impl_->threads.empty()) return;
  net::post(impl_->ioc, [this] {
    beast::error_code ignored;
    impl_->acceptor.close(ignored);
  });
  // Handlers run to completion before a thread returns from run(), so stopping here only
  // abandons idle keep-alive connections and unread requests.
  impl_->ioc.stop();
  for (auto& t : impl_->threads) t.join();
  impl_->threads.clear();
}

}  // namespace kubeheal::samples
