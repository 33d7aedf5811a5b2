#include "kubeheal/sample_http/openapi_document.h"

#include <algorithm>
#include <cctype>

#include "kubeheal/sample_http/router.h"

namespace kubeheal::samples {

OpenApiDocument::OpenApiDocument(const std::string& title, const std::string& description) {
  doc_ = {{"openapi", "3.0.3"},
          {"info", {{"title", title}, {"version", "0.1.0"}, {"description", description}}},
          {"paths", nlohmann::json::object()},
          {"components",
           {{"schemas",
             {{"Error",
               {{"type", "object"},
                {"required", {"error"}},
                {"properties",
                 {{"error", {{"type", "string"}}},
                  {"field", {{"type", "string"}, {"description", "the offending input"}}}}}}}}}}}};
  Operation("get", "/health", "Liveness and readiness: 200 while the service serves.",
            {{"200", "healthy"}});
  Operation("get", "/metrics", "Prometheus metrics of this process (text format 0.0.4).",
            {{"200", "metrics"}});
  Operation("get", "/docs", "This OpenAPI document.", {{"200", "the document"}});
}

OpenApiDocument& OpenApiDocument::Operation(
    const std::string& method, const std::string& path, const std::string& summary,
    const std::vector<std::pair<std::string, std::string>>& responses,
    const nlohmann::json& request_schema) {
  std::string verb = method;
  std::transform(verb.begin(), verb.end(), verb.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  nlohmann::json op = {{"summary", summary}, {"responses", nlohmann::json::object()}};
  for (const auto& [code, text] : responses) {
    nlohmann::json response = {{"description", text}};
    if (code[0] == '4' || code[0] == '5') {
      response["content"] = {
          {"application/json", {{"schema", {{"$ref", "#/components/schemas/Error"}}}}}};
    }
    op["responses"][code] = response;
  }
  nlohmann::json params = nlohmann::json::array();
  for (const std::string& segment : SplitPath(path)) {
    if (segment.size() > 2 && segment.front() == '{') {
      params.push_back({{"name", segment.substr(1, segment.size() - 2)},
                        {"in", "path"},
                        {"required", true},
                        {"schema", {{"type", "integer"}, {"minimum", 1}}}});
    }
  }
  if (!params.empty()) op["parameters"] = params;
  if (!request_schema.is_null()) {
    op["requestBody"] = {{"required", true},
                         {"content", {{"application/json", {{"schema", request_schema}}}}}};
  }
  doc_["paths"][path][verb] = op;
  return *this;
}

}  // namespace kubeheal::samples
