#include <cpprest/http_client.h>

#include "kubeheal/common/no_redirects.h"
#include "kubeheal/controllers/alert_sender.h"

namespace kubeheal::controllers {

Status WebhookAlertSender::Send(const std::string& url, const nlohmann::json& alerts) {
  try {
    web::http::client::http_client_config config = NoRedirectsConfig();
    config.set_timeout(std::chrono::seconds(5));
    web::http::client::http_client client(utility::conversions::to_string_t(url), config);
    web::http::http_request request(web::http::methods::POST);
    request.set_body(alerts.dump(), "application/json");
    auto response = client.request(request).get();
    if (auto refused = RedirectRefused(response, "alert webhook " + url)) return *refused;
    if (response.status_code() >= 300) {
      return Error::Retryable("WebhookFailed", "alert webhook " + url + " answered HTTP " +
                                                   std::to_string(response.status_code()),
                              response.status_code());
    }
    return Status::Ok();
  } catch (const std::exception& e) {
    return Error::Retryable("WebhookFailed", "alert webhook " + url + ": " + e.what());
  }
}

}  // namespace kubeheal::controllers
