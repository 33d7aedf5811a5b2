#include "kubeheal/sample_http/json_response.h"

namespace kubeheal::samples {

HttpResponse JsonResponse(int status, const nlohmann::json& body) {
  return HttpResponse{status, "application/json", body.dump()};
}

HttpResponse JsonError(int status, const std::string& message, const std::string& field) {
  nlohmann::json body = {{"error", message}};
  if (!field.empty()) body["field"] = field;
  return JsonResponse(status, body);
}

}  // namespace kubeheal::samples
