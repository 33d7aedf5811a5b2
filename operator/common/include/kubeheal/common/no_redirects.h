#pragma once
// Every HTTP client of the operator (Kubernetes API, Prometheus, agents, alert webhooks) is
// built from NoRedirectsConfig() and passes each response through RedirectRefused().
//
// Why: cpprestsdk's clients follow up to 10 redirects by default, copying every header,
// Authorization included, to wherever the Location points (and turning a POST into a GET on
// 301-303). A tenant who controls one endpoint the operator calls (an agent's admin port, a
// webhook URL) could then collect the operator's credentials at an address of their choosing.
// A redirect answer is an error naming where it pointed; nothing is sent there.
//
// Header-only: include it only from code that links cpprestsdk.
#include <optional>
#include <string>

#include <cpprest/http_client.h>

#include "kubeheal/common/error.h"

namespace kubeheal {

inline web::http::client::http_client_config NoRedirectsConfig() {
  web::http::client::http_client_config config;
  config.set_max_redirects(0);
  config.set_https_to_http_redirects(false);
  return config;
}

// An error for a 3xx answer (`what` names the call, e.g. "GET /api/v1/pods"), nullopt
// otherwise. 304 Not Modified is an answer to a conditional request, not a redirect.
inline std::optional<Error> RedirectRefused(const web::http::http_response& response,
                                            const std::string& what) {
  const int status = response.status_code();
  if (status < 300 || status > 399 || status == 304) return std::nullopt;
  std::string location = "no Location";
  const auto& headers = response.headers();
  if (auto it = headers.find(utility::conversions::to_string_t("Location")); it != headers.end()) {
    location = utility::conversions::to_utf8string(it->second);
    if (location.size() > 200) location = location.substr(0, 200) + "...";
  }
  return Error::Terminal("RedirectRefused",
                         what + ": answered HTTP " + std::to_string(status) + " redirecting to " +
                             location +
                             "; redirects are never followed (credentials would go "
                             "with them)",
                         status);
}

}  // namespace kubeheal
