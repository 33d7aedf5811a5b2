#pragma once

#include <map>
#include <string>

namespace kubeheal::samples {

// A request as the handlers see it: already parsed, independent of the HTTP library.
struct HttpRequest {
  std::string method;                              // "GET", "POST", ...
  std::string path;                                // without the query string
  std::map<std::string, std::string> query;        // decoded query parameters
  std::map<std::string, std::string> path_params;  // filled by the Router: {id} -> "42"
  std::string body;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
};

}  // namespace kubeheal::samples
