#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace kubeheal::samples {

// Builds the OpenAPI 3.0 document a service serves at /docs. /health, /metrics and /docs
// are described by the constructor; path parameters ({id}) are declared from the path.
class OpenApiDocument {
 public:
  OpenApiDocument(const std::string& title, const std::string& description);

  // `responses` maps status codes to descriptions; `request_schema` (a JSON Schema object)
  // is the application/json body, null for none.
  OpenApiDocument& Operation(const std::string& method, const std::string& path,
                             const std::string& summary,
                             const std::vector<std::pair<std::string, std::string>>& responses,
                             const nlohmann::json& request_schema = nullptr);
  std::string Dump() const { return doc_.dump(2); }

 private:
  nlohmann::json doc_;
};

}  // namespace kubeheal::samples
