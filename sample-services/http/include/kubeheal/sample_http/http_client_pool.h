#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "kubeheal/sample_http/http_client.h"
#include "kubeheal/sample_http/http_connection.h"
#include "kubeheal/sample_http/url.h"

namespace kubeheal::samples {

// A thread-safe client to one base URL: borrows an idle keep-alive connection (or opens
// one), sends, and returns it. Request targets are appended to the URL's base path.
class HttpClientPool final : public HttpClient {
 public:
  explicit HttpClientPool(HttpUrl base, size_t max_idle = 64);
  Result<ClientResponse> Send(const ClientRequest& request) override;
  const HttpUrl& base() const { return base_; }

 private:
  HttpUrl base_;
  size_t max_idle_;
  std::mutex mutex_;  // guards idle_
  std::vector<std::unique_ptr<HttpConnection>> idle_;
};

}  // namespace kubeheal::samples
