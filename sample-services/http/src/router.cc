#include "kubeheal/sample_http/router.h"

#include <exception>

#include "kubeheal/sample_http/json_response.h"

namespace kubeheal::samples {

std::vector<std::string> SplitPath(const std::string& path) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    if (slash == std::string::npos) slash = path.size();
    if (slash > start) parts.push_back(path.substr(start, slash - start));
    start = slash + 1;
  }
  return parts;
}

void Router::Add(const std::string& method, const std::string& pattern, HttpHandler handler) {
  routes_.push_back(Route{method, pattern, SplitPath(pattern), std::move(handler)});
}

namespace {

bool Matches(const Router::Route& route, const std::vector<std::string>& segments,
             std::map<std::string, std::string>& params) {
  if (route.segments.size() != segments.size()) return false;
  std::map<std::string, std::string> captured;
  for (size_t i = 0; i < segments.size(); ++i) {
    const std::string& want = route.segments[i];
    if (want.size() > 2 && want.front() == '{' && want.back() == '}') {
      captured[want.substr(1, want.size() - 2)] = segments[i];
    } else if (want != segments[i]) {
      return false;
    }
  }
  params = std::move(captured);
  return true;
}

}  // namespace

HttpResponse Router::Dispatch(HttpRequest& request, std::string& route) const {
  route = "unmatched";
  std::vector<std::string> segments = SplitPath(request.path);
  bool path_known = false;
  for (const Route& candidate : routes_) {
    std::map<std::string, std::string> params;
    if (!Matches(candidate, segments, params)) continue;
    path_known = true;
    if (candidate.method != request.method) continue;
    route = candidate.pattern;
    request.path_params = std::move(params);
    try {
      return candidate.handler(request);
    } catch (const std::exception& e) {
      return JsonError(500, std::string("internal error: ") + e.what());
    }
  }
  if (path_known)
    return JsonError(405, "method " + request.method + " not allowed on " + request.path);
  return JsonError(404, "no such endpoint: " + request.method + " " + request.path);
}

}  // namespace kubeheal::samples
