#pragma once

#include <gmock/gmock.h>

#include "kubeheal/kube/http_transport.h"

namespace kubeheal::kube::testing {

class MockHttpTransport : public HttpTransport {
 public:
  MOCK_METHOD(Result<HttpResponse>, Send, (const HttpRequest& request), (override));
  MOCK_METHOD(Result<HttpResponse>, Stream,
              (const HttpRequest& request, const LineHandler& on_line, CancelToken& cancel),
              (override));
};

inline HttpResponse Respond(int status, std::string body,
                            std::map<std::string, std::string> headers = {}) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  r.headers = std::move(headers);
  return r;
}

// A Stream action that feeds `lines` to the handler, then returns `status` (200 = server
// closed the stream normally).
inline auto StreamLines(std::vector<std::string> lines, int status = 200) {
  return [lines, status](const HttpRequest&, const HttpTransport::LineHandler& on_line,
                         CancelToken&) -> Result<HttpResponse> {
    for (const auto& l : lines) {
      if (!on_line(l)) break;
    }
    HttpResponse r;
    r.status = status;
    return r;
  };
}

MATCHER_P2(IsRequest, method, path, "") {
  return arg.method == method && arg.path_and_query == path;
}

}  // namespace kubeheal::kube::testing
