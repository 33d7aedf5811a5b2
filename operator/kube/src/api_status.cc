#include "kubeheal/kube/api_status.h"

#include <cstdlib>

#include <nlohmann/json.hpp>

namespace kubeheal::kube {
namespace {

std::string ReasonForCode(int code) {
  switch (code) {
    case 0:
      return "Transport";
    case 400:
      return "BadRequest";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "NotFound";
    case 405:
      return "MethodNotAllowed";
    case 406:
      return "NotAcceptable";
    case 409:
      return "Conflict";
    case 410:
      return "Gone";
    case 415:
      return "UnsupportedMediaType";
    case 422:
      return "Invalid";
    case 429:
      return "TooManyRequests";
    case 500:
      return "InternalError";
    case 503:
      return "ServiceUnavailable";
    case 504:
      return "Timeout";
    default:
      return code >= 500 ? "InternalError" : "Unknown";
  }
}

std::string Str(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

bool IsRetryable(const ApiStatus& s) {
  if (s.code == 0) return s.reason != "Cancelled";
  if (s.code == 409) return s.reason != "AlreadyExists";
  return s.code == 410 || s.code == 429 || s.code >= 500;
}

}  // namespace

ApiStatus ParseApiStatus(int http_status, const std::string& body, const std::string& retry_after,
                         ApiStatus request) {
  ApiStatus s = std::move(request);
  s.code = http_status;
  const nlohmann::json j = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_object() && Str(j, "kind") == "Status") {
    s.reason = Str(j, "reason");
    s.message = Str(j, "message");
    if (auto c = j.find("code"); c != j.end() && c->is_number_integer() && c->get<int>() != 0) {
      s.code = c->get<int>();
    }
    if (auto d = j.find("details"); d != j.end() && d->is_object()) {
      s.details_name = Str(*d, "name");
      s.details_group = Str(*d, "group");
      s.details_kind = Str(*d, "kind");
      if (auto ra = d->find("retryAfterSeconds"); ra != d->end() && ra->is_number_integer()) {
        s.retry_after = std::chrono::seconds(ra->get<int>());
      }
      if (auto causes = d->find("causes"); causes != d->end() && causes->is_array()) {
        for (const auto& c : *causes) {
          if (c.is_object())
            s.causes.push_back({Str(c, "reason"), Str(c, "message"), Str(c, "field")});
        }
      }
    }
  } else if (!body.empty()) {
    // Not a Status (a proxy page, plain text): keep a bounded excerpt for the human.
    s.message = body.substr(0, 512);
  }
  if (s.reason.empty()) s.reason = ReasonForCode(s.code);
  if (!retry_after.empty()) {
    char* end = nullptr;
    const long secs = std::strtol(retry_after.c_str(), &end, 10);
    if (end != retry_after.c_str() && secs >= 0) s.retry_after = std::chrono::seconds(secs);
  }
  return s;
}

std::string Describe(const ApiStatus& s) {
  std::string what = s.verb + " " + s.resource;
  if (!s.subresource.empty()) what += "/" + s.subresource;
  if (!s.name.empty()) what += " \"" + s.name + "\"";
  what += s.namespace_.empty() ? std::string(" (cluster scope)")
                               : " in namespace \"" + s.namespace_ + "\"";
  std::string out = what;
  if (s.code != 0) out += " -> HTTP " + std::to_string(s.code);
  if (!s.message.empty()) out += ": " + s.message;
  if (!s.causes.empty()) {
    out += " [";
    for (size_t i = 0; i < s.causes.size(); ++i) {
      if (i) out += "; ";
      out += (s.causes[i].field.empty() ? s.causes[i].reason : s.causes[i].field) + ": " +
             s.causes[i].message;
    }
    out += "]";
  }
  if (s.retry_after) out += " (retry after " + std::to_string(s.retry_after->count()) + "s)";
  return out;
}

Error ToError(const ApiStatus& s) {
  return IsRetryable(s) ? Error::Retryable(s.reason, Describe(s), s.code)
                        : Error::Terminal(s.reason, Describe(s), s.code);
}

}  // namespace kubeheal::kube
