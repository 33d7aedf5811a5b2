#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <string_view>

#include "kubeheal/common/result.h"
#include "kubeheal/kube/cancel_token.h"

namespace kubeheal::kube {

struct HttpRequest {
  std::string method = "GET";
  std::string path_and_query;  // already percent-encoded, e.g. /api/v1/namespaces/a/pods?limit=5
  std::string body;
  std::string content_type;  // empty when there is no body
};

struct HttpResponse {
  int status = 0;
  std::string body;
  std::map<std::string, std::string> headers;  // names lower-cased

  std::string Header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? std::string() : it->second;
  }
};

// The seam between the Kubernetes client and the network. The client speaks only this
// interface; CpprestTransport is the real one and tests replace it with a GoogleMock.
// A transport-level failure (connect refused, TLS, timeout, reset) is a retryable Error; any
// HTTP status, including 4xx/5xx, is a successful exchange returned as an HttpResponse.
// Implementations must be safe to call from several threads at once.
class HttpTransport {
 public:
  // Called for each line of a streamed body; return false to stop reading.
  using LineHandler = std::function<bool(std::string_view line)>;

  virtual ~HttpTransport() = default;
  virtual Result<HttpResponse> Send(const HttpRequest& request) = 0;
  // Sends `request` and, if the status is 200, feeds the body to `on_line` line by line until
  // the server ends it, `on_line` returns false, or `cancel` fires. For other statuses the body
  // is returned whole in the response. A cancelled stream returns Error code "Cancelled".
  virtual Result<HttpResponse> Stream(const HttpRequest& request, const LineHandler& on_line,
                                      CancelToken& cancel) = 0;
};

}  // namespace kubeheal::kube
