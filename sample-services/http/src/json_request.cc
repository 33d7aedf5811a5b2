#include "kubeheal/sample_http/json_request.h"

#include <charconv>

#include "kubeheal/sample_http/json_response.h"

namespace kubeheal::samples {

HttpResponse FieldErrorResponse(const FieldError& error) {
  return JsonError(400, error.message, error.field);
}

Validated<nlohmann::json> ParseJsonObject(const std::string& body) {
  nlohmann::json parsed = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded())
    return Validated<nlohmann::json>::Fail("body is not valid JSON", "body");
  if (!parsed.is_object()) {
    return Validated<nlohmann::json>::Fail("body must be a JSON object", "body");
  }
  return Validated<nlohmann::json>{std::move(parsed), {}};
}

Validated<std::string> RequireString(const nlohmann::json& obj, const std::string& name,
                                     size_t min_len, size_t max_len) {
  using V = Validated<std::string>;
  auto it = obj.find(name);
  if (it == obj.end()) return V::Fail("field '" + name + "' is required", name);
  if (!it->is_string()) return V::Fail("field '" + name + "' must be a string", name);
  const std::string& value = it->get_ref<const std::string&>();
  if (value.size() < min_len || value.size() > max_len) {
    return V::Fail("field '" + name + "' must have " + std::to_string(min_len) + " to " +
                       std::to_string(max_len) + " characters",
                   name);
  }
  return V{value, {}};
}

Validated<long long> RequireInteger(const nlohmann::json& obj, const std::string& name,
                                    long long min, long long max) {
  using V = Validated<long long>;
  auto it = obj.find(name);
  if (it == obj.end()) return V::Fail("field '" + name + "' is required", name);
  if (!it->is_number_integer()) return V::Fail("field '" + name + "' must be an integer", name);
  long long value = it->get<long long>();
  if (value < min || value > max) {
    return V::Fail("field '" + name + "' must be between " + std::to_string(min) + " and " +
                       std::to_string(max),
                   name);
  }
  return V{value, {}};
}

Validated<double> RequireNumber(const nlohmann::json& obj, const std::string& name, double min,
                                double max) {
  using V = Validated<double>;
  auto it = obj.find(name);
  if (it == obj.end()) return V::Fail("field '" + name + "' is required", name);
  if (!it->is_number()) return V::Fail("field '" + name + "' must be a number", name);
  double value = it->get<double>();
  if (!(value >= min && value <= max)) {
    return V::Fail("field '" + name + "' must be between " + nlohmann::json(min).dump() + " and " +
                       nlohmann::json(max).dump(),
                   name);
  }
  return V{value, {}};
}

Validated<long long> ParseIntegerText(const std::string& text, const std::string& name,
                                      long long min, long long max) {
  using V = Validated<long long>;
  long long value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) {
    return V::Fail("'" + name + "' must be an integer, got '" + text + "'", name);
  }
  if (value < min || value > max) {
    return V::Fail(
        "'" + name + "' must be between " + std::to_string(min) + " and " + std::to_string(max),
        name);
  }
  return V{value, {}};
}

}  // namespace kubeheal::samples
