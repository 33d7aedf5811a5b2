#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "kubeheal/sample_http/http_message.h"

namespace kubeheal::samples {

HttpResponse JsonResponse(int status, const nlohmann::json& body);

// {"error": message, "field": field}: the field is omitted when empty. Bad input answers
// 400 with the offending field named, so a client can fix its request without reading code.
HttpResponse JsonError(int status, const std::string& message, const std::string& field = "");

}  // namespace kubeheal::samples
