#pragma once

#include <chrono>
#include <string>

#include "kubeheal/common/result.h"

namespace kubeheal::samples {

struct ClientRequest {
  std::string method = "GET";
  std::string target = "/";  // path and query
  std::string body;          // sent as application/json when not empty
  std::chrono::milliseconds timeout{2000};
};

struct ClientResponse {
  int status = 0;
  std::string body;
};

// A blocking HTTP client; an Error means no HTTP answer (refused, reset, timed out).
class HttpClient {
 public:
  virtual ~HttpClient() = default;
  virtual Result<ClientResponse> Send(const ClientRequest& request) = 0;
};

}  // namespace kubeheal::samples
