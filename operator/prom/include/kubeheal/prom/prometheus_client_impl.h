#pragma once

#include <chrono>
#include <memory>
#include <semaphore>
#include <string>

#include "kubeheal/common/result.h"
#include "kubeheal/prom/prometheus_client.h"

namespace web::http::client {
class http_client;
}

namespace kubeheal::prom {

struct PrometheusClientOptions {
  // Base URL of the API, e.g. "http://prometheus:9090" or "https://thanos/prefix".
  std::string url;
  // Sent as "Authorization: Bearer <token>" when not empty.
  std::string bearer_token;
  // PEM file of the CA that signed the server's certificate (https only); empty = system CAs.
  std::string ca_file;
  // Whole-request deadline: waiting for a query slot, connect, send, wait and reading the whole
  // body. A server that trickles its answer is cut off here (cpprestsdk's own timeout, set to
  // the same value, restarts with every chunk). A query with a `timeout` ends sooner: at that
  // timeout plus one second, when the server should have answered "timeout" itself.
  std::chrono::milliseconds request_timeout{std::chrono::seconds(30)};
  // A larger answer (Content-Length or the bytes read so far) is refused: ResponseTooLarge.
  size_t max_response_bytes = 16u << 20;
  // Queries in flight at once to this Prometheus; callers beyond it wait for a slot within
  // their deadline, so a slow Prometheus holds at most this many reconcile workers.
  int max_concurrent_queries = 4;
};

// PrometheusClient over cpprestsdk. Queries are POSTed form-encoded (long PromQL fits; the API,
// Thanos and Mimir accept it). Thread-safe: the underlying http_client is shared by callers, at
// most `max_concurrent_queries` at once. Every call ends by its deadline with an answer or an
// error (Timeout, ResponseTooLarge), whatever the server does.
class PrometheusClientImpl final : public PrometheusClient {
 public:
  // Fails (terminal InvalidArgument) on an empty or malformed URL or an unreadable CA file.
  static Result<std::unique_ptr<PrometheusClientImpl>> Create(PrometheusClientOptions options);
  ~PrometheusClientImpl() override;

  Result<QueryResult> Query(const InstantQuery& query) override;
  Result<QueryResult> QueryRange(const RangeQuery& query) override;

 private:
  PrometheusClientImpl(PrometheusClientOptions options,
                       std::unique_ptr<web::http::client::http_client> http);
  Result<QueryResult> Post(const std::string& path, const std::string& form_body,
                           const std::string& context, std::chrono::milliseconds query_timeout);

  PrometheusClientOptions options_;
  std::unique_ptr<web::http::client::http_client> http_;
  std::counting_semaphore<> slots_;
};

}  // namespace kubeheal::prom
