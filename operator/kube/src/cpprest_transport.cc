#include "kubeheal/kube/cpprest_transport.h"

#include <algorithm>
#include <fstream>
#include <sstream>

#include <boost/asio/ssl.hpp>
#include <cpprest/containerstream.h>
#include <cpprest/http_client.h>
#include <pplx/pplxtasks.h>

#include "kubeheal/common/no_redirects.h"

namespace kubeheal::kube {
namespace http = web::http;
namespace client = web::http::client;

struct CpprestTransport::Impl {
  RestConfig config;
  std::unique_ptr<client::http_client> requests;
  std::unique_ptr<client::http_client> streams;

  std::string Token() const {
    if (!config.token_file.empty()) {
      std::ifstream in(config.token_file);
      std::stringstream ss;
      ss << in.rdbuf();
      std::string t = ss.str();
      while (!t.empty() && (t.back() == '\n' || t.back() == '\r' || t.back() == ' ')) t.pop_back();
      if (!t.empty()) return t;
    }
    return config.bearer_token;
  }

  http::http_request Build(const HttpRequest& r) const {
    http::http_request req(r.method);
    req.set_request_uri(web::uri(r.path_and_query));
    req.headers().add("Accept", "application/json");
    req.headers().add("User-Agent", config.user_agent);
    const std::string token = Token();
    if (!token.empty()) req.headers().add("Authorization", "Bearer " + token);
    if (!r.content_type.empty()) req.set_body(r.body, r.content_type);
    return req;
  }
};

namespace {

client::http_client_config MakeConfig(const RestConfig& c, std::chrono::seconds timeout) {
  client::http_client_config cfg = NoRedirectsConfig();
  cfg.set_timeout(timeout);
  cfg.set_validate_certificates(!c.insecure_skip_tls_verify);
  const std::string ca = c.ca_pem, cert = c.client_cert_pem, key = c.client_key_pem;
  cfg.set_ssl_context_callback([ca, cert, key](boost::asio::ssl::context& ctx) {
    boost::system::error_code ec;  // failures surface as a TLS handshake error on first use
    if (!ca.empty()) ctx.add_certificate_authority(boost::asio::buffer(ca), ec);
    if (!cert.empty()) ctx.use_certificate_chain(boost::asio::buffer(cert), ec);
    if (!key.empty())
      ctx.use_private_key(boost::asio::buffer(key), boost::asio::ssl::context::pem, ec);
  });
  return cfg;
}

HttpResponse Convert(const http::http_response& resp) {
  HttpResponse out;
  out.status = resp.status_code();
  for (const auto& [name, value] : resp.headers()) {
    std::string lower = name;
    std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
    out.headers[lower] = value;
  }
  return out;
}

Error TransportError(const std::string& method, const std::string& path, const std::string& what) {
  return Error::Retryable("Transport", method + " " + path + ": " + what);
}

}  // namespace

Result<std::shared_ptr<CpprestTransport>> CpprestTransport::Create(const RestConfig& config) {
  if (config.server.empty()) return Error::Terminal("InvalidConfig", "RestConfig.server is empty");
  auto impl = std::make_unique<Impl>();
  impl->config = config;
  try {
    web::uri base(config.server);
    impl->requests =
        std::make_unique<client::http_client>(base, MakeConfig(config, config.request_timeout));
    impl->streams =
        std::make_unique<client::http_client>(base, MakeConfig(config, std::chrono::seconds(600)));
  } catch (const std::exception& e) {
    return Error::Terminal("InvalidConfig", "server URL \"" + config.server + "\": " + e.what());
  }
  return std::shared_ptr<CpprestTransport>(new CpprestTransport(std::move(impl)));
}

CpprestTransport::CpprestTransport(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
CpprestTransport::~CpprestTransport() = default;

Result<HttpResponse> CpprestTransport::Send(const HttpRequest& request) {
  try {
    http::http_response resp = impl_->requests->request(impl_->Build(request)).get();
    if (auto refused = RedirectRefused(resp, request.method + " " + request.path_and_query)) {
      return *refused;
    }
    HttpResponse out = Convert(resp);
    out.body = resp.extract_utf8string(true).get();
    return out;
  } catch (const std::exception& e) {
    return TransportError(request.method, request.path_and_query, e.what());
  }
}

Result<HttpResponse> CpprestTransport::Stream(const HttpRequest& request,
                                              const LineHandler& on_line, CancelToken& cancel) {
  pplx::cancellation_token_source cts;
  const int reg = cancel.Register([cts] { cts.cancel(); });
  struct Unregister {
    CancelToken& token;
    int id;
    ~Unregister() { token.Unregister(id); }
  } unregister{cancel, reg};
  try {
    http::http_response resp =
        impl_->streams->request(impl_->Build(request), cts.get_token()).get();
    if (auto refused = RedirectRefused(resp, request.method + " " + request.path_and_query)) {
      return *refused;
    }
    HttpResponse out = Convert(resp);
    if (out.status != 200) {
      out.body = resp.extract_utf8string(true).get();
      return out;
    }
    auto body = resp.body();
    while (!cancel.cancelled()) {
      concurrency::streams::container_buffer<std::string> line;
      const size_t n = body.read_line(line).get();
      if (n == 0 && body.is_eof()) break;
      if (!on_line(line.collection())) break;
    }
    if (cancel.cancelled()) return Error::Terminal("Cancelled", "stream cancelled");
    return out;
  } catch (const std::exception& e) {
    if (cancel.cancelled()) return Error::Terminal("Cancelled", "stream cancelled");
    return TransportError(request.method, request.path_and_query, e.what());
  }
}

}  // namespace kubeheal::kube
