#include "kubeheal/prom/response_parser.h"

#include <charconv>
#include <cmath>
#include <limits>
#include <string>

#include <nlohmann/json.hpp>

#include "kubeheal/common/enum_names.h"

namespace kubeheal::prom {
namespace {

constexpr EnumNameTable<ResultType, 4> kResultTypeNames{{{ResultType::kVector, "vector"},
                                                         {ResultType::kMatrix, "matrix"},
                                                         {ResultType::kScalar, "scalar"},
                                                         {ResultType::kString, "string"}}};

using nlohmann::json;

// A short, printable excerpt of a body for error messages (HTML error pages can be long).
std::string Excerpt(std::string_view body) {
  constexpr size_t kMax = 200;
  std::string out(body.substr(0, kMax));
  for (auto& c : out) {
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  }
  if (body.size() > kMax) out += "...";
  return out;
}

Error Invalid(std::string_view context, const std::string& what, int http_status) {
  return Error::Terminal("InvalidResponse",
                         std::string(context) + ": unexpected response from Prometheus: " + what,
                         http_status);
}

// Maps the API's errorType to our error vocabulary. Types the API may add later fall back to
// the HTTP status, so a new server-side condition is still classified sensibly.
Error ApiError(std::string_view context, const std::string& type, const std::string& message,
               int http_status) {
  const std::string text = std::string(context) + ": " + type + ": " + message;
  if (type == "bad_data") return Error::Terminal("BadData", text, http_status);
  if (type == "execution") return Error::Terminal("Execution", text, http_status);
  if (type == "not_found") return Error::Terminal("NotFound", text, http_status);
  if (type == "timeout") return Error::Retryable("Timeout", text, http_status);
  if (type == "canceled") return Error::Retryable("Canceled", text, http_status);
  if (type == "internal") return Error::Retryable("Internal", text, http_status);
  if (type == "unavailable") return Error::Retryable("Unavailable", text, http_status);
  if (http_status == 429 || http_status >= 500)
    return Error::Retryable("HttpError", text, http_status);
  return Error::Terminal("HttpError", text, http_status);
}

Error HttpStatusError(std::string_view context, int http_status, std::string_view body) {
  const std::string text = std::string(context) + ": HTTP " + std::to_string(http_status) +
                           (body.empty() ? "" : ": " + Excerpt(body));
  if (http_status == 401) return Error::Terminal("Unauthorized", text, http_status);
  if (http_status == 403) return Error::Terminal("Forbidden", text, http_status);
  if (http_status == 404) return Error::Terminal("NotFound", text, http_status);
  if (http_status == 429 || http_status >= 500)
    return Error::Retryable("HttpError", text, http_status);
  return Error::Terminal("HttpError", text, http_status);
}

std::string StringField(const json& object, const char* key, const char* fallback) {
  const auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : fallback;
}

Clock::TimePoint FromEpochSeconds(double seconds) {
  // Prometheus timestamps have millisecond precision; round to it so 1.781 stays 1781 ms.
  const auto ms = static_cast<int64_t>(std::llround(seconds * 1000.0));
  return Clock::TimePoint(std::chrono::milliseconds(ms));
}

// [<float seconds>, "<value>"] as used by "value", "values" and scalar/string results.
Result<Sample> ParsePoint(const json& point, std::string_view context, std::string_view where,
                          int http_status, std::string* string_value = nullptr) {
  if (!point.is_array() || point.size() != 2 || !point[0].is_number() || !point[1].is_string()) {
    return Invalid(
        context,
        std::string(where) + " is not a [timestamp, \"value\"] pair: " + Excerpt(point.dump()),
        http_status);
  }
  Sample sample;
  sample.time = FromEpochSeconds(point[0].get<double>());
  const auto& text = point[1].get_ref<const std::string&>();
  if (string_value) {
    *string_value = text;
    return sample;
  }
  auto value = ParseSampleValue(text);
  if (!value.ok()) {
    return Invalid(context, std::string(where) + ": " + value.error().message, http_status);
  }
  sample.value = *value;
  return sample;
}

Result<std::map<std::string, std::string>> ParseLabels(const json& metric, std::string_view context,
                                                       std::string_view where, int http_status) {
  std::map<std::string, std::string> labels;
  if (metric.is_null()) return labels;
  if (!metric.is_object()) {
    return Invalid(context, std::string(where) + ".metric is not an object", http_status);
  }
  for (const auto& [name, value] : metric.items()) {
    if (!value.is_string()) {
      return Invalid(context, std::string(where) + ".metric." + name + " is not a string",
                     http_status);
    }
    labels.emplace(name, value.get<std::string>());
  }
  return labels;
}

// Vector ("value") or matrix ("values") series. Native-histogram points ("histogram",
// "histograms") carry no float value; they are skipped and reported as a warning.
Result<std::vector<Series>> ParseSeriesList(const json& result, bool matrix,
                                            std::string_view context, int http_status,
                                            std::vector<std::string>* warnings) {
  if (!result.is_array()) return Invalid(context, "data.result is not an array", http_status);
  std::vector<Series> out;
  out.reserve(result.size());
  bool skipped_histograms = false;
  for (size_t i = 0; i < result.size(); ++i) {
    const std::string where = "data.result[" + std::to_string(i) + "]";
    const json& item = result[i];
    if (!item.is_object()) return Invalid(context, where + " is not an object", http_status);
    Series series;
    auto labels =
        ParseLabels(item.contains("metric") ? item["metric"] : json(), context, where, http_status);
    if (!labels.ok()) return labels.error();
    series.labels = std::move(*labels);
    if (!matrix && item.contains("value")) {
      auto sample = ParsePoint(item["value"], context, where + ".value", http_status);
      if (!sample.ok()) return sample.error();
      series.samples.push_back(*sample);
    } else if (matrix && item.contains("values")) {
      const json& values = item["values"];
      if (!values.is_array())
        return Invalid(context, where + ".values is not an array", http_status);
      series.samples.reserve(values.size());
      for (size_t j = 0; j < values.size(); ++j) {
        auto sample = ParsePoint(values[j], context, where + ".values[" + std::to_string(j) + "]",
                                 http_status);
        if (!sample.ok()) return sample.error();
        series.samples.push_back(*sample);
      }
    } else if (item.contains("histogram") || item.contains("histograms")) {
      skipped_histograms = true;
    } else {
      return Invalid(context, where + " has no " + (matrix ? "values" : "value"), http_status);
    }
    if (item.contains("histograms")) skipped_histograms = true;
    out.push_back(std::move(series));
  }
  if (skipped_histograms) warnings->push_back("native histogram samples were skipped");
  return out;
}

}  // namespace

std::string_view ResultTypeName(ResultType type) {
  return NameOf(kResultTypeNames, type, "vector");
}

Result<double> ParseSampleValue(std::string_view text) {
  if (text == "NaN") return std::numeric_limits<double>::quiet_NaN();
  if (text == "+Inf" || text == "Inf") return std::numeric_limits<double>::infinity();
  if (text == "-Inf") return -std::numeric_limits<double>::infinity();
  double value = 0;
  const char* begin = text.data();
  const char* end = text.data() + text.size();
  if (!text.empty() && *begin == '+') ++begin;  // from_chars rejects a leading '+'
  const auto [ptr, ec] = std::from_chars(begin, end, value);
  if (text.empty() || ec != std::errc() || ptr != end) {
    return Error::Terminal("InvalidResponse",
                           "sample value \"" + Excerpt(text) + "\" is not a number");
  }
  return value;
}

Result<QueryResult> ParseQueryResponse(int http_status, std::string_view body,
                                       std::string_view context) {
  json doc = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object() || !doc.contains("status")) {
    if (http_status < 200 || http_status >= 300) return HttpStatusError(context, http_status, body);
    return Invalid(context, "body is not the API's JSON: " + Excerpt(body), http_status);
  }
  const json& status = doc["status"];
  if (status == "error") {
    const std::string type = StringField(doc, "errorType", "unknown");
    const std::string message = StringField(doc, "error", "(no message)");
    return ApiError(context, type, message, http_status);
  }
  if (status != "success") {
    return Invalid(context, "status is " + status.dump() + ", expected \"success\" or \"error\"",
                   http_status);
  }
  if (http_status < 200 || http_status >= 300) return HttpStatusError(context, http_status, body);
  if (!doc.contains("data") || !doc["data"].is_object()) {
    return Invalid(context, "no data object", http_status);
  }
  const json& data = doc["data"];
  if (!data.contains("resultType") || !data["resultType"].is_string() || !data.contains("result")) {
    return Invalid(context, "data has no resultType or result", http_status);
  }
  QueryResult out;
  if (doc.contains("warnings") && doc["warnings"].is_array()) {
    for (const auto& w : doc["warnings"]) {
      if (w.is_string()) out.warnings.push_back(w.get<std::string>());
    }
  }
  const std::string type_name = data["resultType"].get<std::string>();
  const std::optional<ResultType> type = ParseName(kResultTypeNames, type_name);
  if (!type)
    return Invalid(context, "unknown resultType \"" + Excerpt(type_name) + "\"", http_status);
  out.type = *type;
  const json& result = data["result"];
  if (*type == ResultType::kVector || *type == ResultType::kMatrix) {
    auto series =
        ParseSeriesList(result, *type == ResultType::kMatrix, context, http_status, &out.warnings);
    if (!series.ok()) return series.error();
    out.series = std::move(*series);
  } else {
    // A scalar is [time, "value"]; a string is the same with the value kept as text.
    auto sample = ParsePoint(result, context, "data.result", http_status,
                             *type == ResultType::kString ? &out.string_value : nullptr);
    if (!sample.ok()) return sample.error();
    out.scalar = *sample;
  }
  return out;
}

}  // namespace kubeheal::prom
