#pragma once

#include <memory>

#include "kubeheal/common/result.h"
#include "kubeheal/kube/http_transport.h"
#include "kubeheal/kube/rest_config.h"

namespace kubeheal::kube {

// The real HttpTransport: cpprestsdk's http_client over TLS, with the CA, client certificate
// and key of a RestConfig loaded into the Boost.Asio SSL context. Two clients are kept: one
// with the request timeout, one for watch streams (whose timeout only bounds silence between
// chunks, and the server sends bookmarks well within it). Thread-safe.
class CpprestTransport final : public HttpTransport {
 public:
  static Result<std::shared_ptr<CpprestTransport>> Create(const RestConfig& config);
  ~CpprestTransport() override;

  Result<HttpResponse> Send(const HttpRequest& request) override;
  Result<HttpResponse> Stream(const HttpRequest& request, const LineHandler& on_line,
                              CancelToken& cancel) override;

 private:
  struct Impl;
  explicit CpprestTransport(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace kubeheal::kube
