#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "kubeheal/sample_http/http_message.h"

namespace kubeheal::samples {

// Validation of request input. A failure carries the field it is about, so the handler can
// answer 400 {"error": ..., "field": ...}.
struct FieldError {
  std::string message;
  std::string field;
};

// Either a value or a FieldError.
template <typename T>
struct Validated {
  std::optional<T> value;
  FieldError error;
  bool ok() const { return value.has_value(); }
  static Validated Fail(std::string message, std::string field) {
    return Validated{std::nullopt, FieldError{std::move(message), std::move(field)}};
  }
};

HttpResponse FieldErrorResponse(const FieldError& error);

// The body parsed as a JSON object (field "body" when it is not one).
Validated<nlohmann::json> ParseJsonObject(const std::string& body);

// obj[name] as a string of min..max characters.
Validated<std::string> RequireString(const nlohmann::json& obj, const std::string& name,
                                     size_t min_len, size_t max_len);
// obj[name] as an integer in [min, max].
Validated<long long> RequireInteger(const nlohmann::json& obj, const std::string& name,
                                    long long min, long long max);
// obj[name] as a number in [min, max].
Validated<double> RequireNumber(const nlohmann::json& obj, const std::string& name, double min,
                                double max);
// A decimal integer in [min, max] from a path segment or query parameter called `name`.
Validated<long long> ParseIntegerText(const std::string& text, const std::string& name,
                                      long long min, long long max);

}  // namespace kubeheal::samples
