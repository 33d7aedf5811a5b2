#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "kubeheal/common/result.h"
#include "kubeheal/sample_http/http_client.h"
#include "kubeheal/sample_http/url.h"

namespace kubeheal::samples {

struct ServiceTarget {
  std::string name;
  HttpUrl url;
  std::string text;  // as given
};

struct HealthResult {
  std::string name;
  std::string url;
  bool healthy = false;
  std::string detail;  // "200 in 1.2ms" or the error
};

// "orders=http://orders:8080,users=http://users:8080" -> targets; errors name the entry.
Result<std::vector<ServiceTarget>> ParseServiceTargets(const std::string& text);

// GET <url>/health on every target; healthy means a 2xx answer within `timeout`.
std::vector<HealthResult> CheckHealth(
    const std::vector<ServiceTarget>& targets,
    const std::function<std::unique_ptr<HttpClient>(const HttpUrl&)>& make_client,
    std::chrono::milliseconds timeout);

}  // namespace kubeheal::samples
