#pragma once

#include <functional>
#include <string>
#include <vector>

#include "kubeheal/sample_http/http_message.h"

namespace kubeheal::samples {

using HttpHandler = std::function<HttpResponse(const HttpRequest&)>;

// Maps (method, path pattern) to a handler. Patterns are literal segments or {name}
// captures, e.g. "/users/{id}". The pattern doubles as the metrics label, so metrics never
// carry raw paths (no ids, bounded cardinality).
// Routes are added before the server starts; Dispatch is then read-only and thread-safe.
class Router {
 public:
  void Add(const std::string& method, const std::string& pattern, HttpHandler handler);

  // Fills `route` with the matched pattern ("unmatched" if none) and answers 404/405 itself
  // when nothing matches. Exceptions from a handler become a 500 JSON error, never a crash.
  HttpResponse Dispatch(HttpRequest& request, std::string& route) const;

  struct Route {
    std::string method;
    std::string pattern;
    std::vector<std::string> segments;
    HttpHandler handler;
  };
  const std::vector<Route>& routes() const { return routes_; }

 private:
  std::vector<Route> routes_;
};

// "/a/b/" -> {"a", "b"}
std::vector<std::string> SplitPath(const std::string& path);

}  // namespace kubeheal::samples
