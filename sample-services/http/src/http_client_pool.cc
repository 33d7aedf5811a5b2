#include "kubeheal/sample_http/http_client_pool.h"

namespace kubeheal::samples {

HttpClientPool::HttpClientPool(HttpUrl base, size_t max_idle)
    : base_(std::move(base)), max_idle_(max_idle) {}

Result<ClientResponse> HttpClientPool::Send(const ClientRequest& request) {
  std::unique_ptr<HttpConnection> connection;
  {
    std::lock_guard lock(mutex_);
    if (!idle_.empty()) {
      connection = std::move(idle_.back());
      idle_.pop_back();
    }
  }
  if (!connection) connection = std::make_unique<HttpConnection>(base_.host, base_.port);
  ClientRequest prefixed = request;
  prefixed.target = base_.base_path + request.target;
  Result<ClientResponse> result = connection->Send(prefixed);
  if (result) {
    std::lock_guard lock(mutex_);
    if (idle_.size() < max_idle_) idle_.push_back(std::move(connection));
  }
  return result;
}

}  // namespace kubeheal::samples
