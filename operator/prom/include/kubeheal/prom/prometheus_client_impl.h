#pragma once

#include <chrono>
#include <memory>
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
  // Whole-request limit on the HTTP exchange (connect, send, wait, read).
  std::chrono::milliseconds request_timeout{std::chrono::seconds(30)};
};

// PrometheusClient over cpprestsdk. Queries are POSTed form-encoded (long PromQL fits; the API,
// Thanos and Mimir accept it). Thread-safe: the underlying http_client is shared by callers.
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
                           const std::string& context);

  PrometheusClientOptions options_;
  std::unique_ptr<web::http::client::http_client> http_;
};

}  // namespace kubeheal::prom
