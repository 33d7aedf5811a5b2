#pragma once

#include <memory>
#include <string>

#include "kubeheal/sample_http/http_client.h"

namespace kubeheal::samples {

// One keep-alive connection to host:port, reconnecting when the server closed it. Blocking
// calls with a deadline (Beast's async operations run on a private io_context).
// Not thread-safe: one thread uses it at a time (a pool hands connections out).
class HttpConnection final : public HttpClient {
 public:
  HttpConnection(std::string host, std::string port);
  ~HttpConnection() override;
  HttpConnection(const HttpConnection&) = delete;
  HttpConnection& operator=(const HttpConnection&) = delete;

  Result<ClientResponse> Send(const ClientRequest& request) override;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace kubeheal::samples
