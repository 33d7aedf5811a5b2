#include <thread>

#include <cpprest/http_client.h>

#include "kubeheal/common/no_redirects.h"
#include "kubeheal/controllers/alert_sender.h"

namespace kubeheal::controllers {
namespace {

using utility::conversions::to_string_t;

std::string Bounded(std::string reason, size_t max) {
  if (reason.size() > max) reason = reason.substr(0, max > 3 ? max - 3 : 0) + "...";
  return reason;
}

}  // namespace

WebhookAlertSender::WebhookAlertSender(WebhookTargetPolicy targets, WebhookDelivery delivery,
                                       Sleep sleep)
    : targets_(std::move(targets)), delivery_(delivery), sleep_(std::move(sleep)) {
  if (!sleep_) sleep_ = [](std::chrono::milliseconds d) { std::this_thread::sleep_for(d); };
  if (delivery_.attempts < 1) delivery_.attempts = 1;
}

Status WebhookAlertSender::Send(const std::string& url, const nlohmann::json& alerts) {
  const size_t max = delivery_.max_reason;
  auto parsed = ParseWebhookUrl(url);
  if (!parsed.ok()) {
    return Error::Terminal(parsed.error().code, Bounded(parsed.error().message, max));
  }
  auto address = targets_.Check(*parsed);
  if (!address.ok()) {
    return Error{address.error().kind, address.error().code, Bounded(address.error().message, max)};
  }
  const bool default_port = parsed->port == (parsed->scheme == "https" ? 443 : 80);
  const std::string host_header =
      (parsed->host.find(':') != std::string::npos ? "[" + parsed->host + "]" : parsed->host) +
      (default_port ? "" : ":" + std::to_string(parsed->port));
  std::string base = url;
  if (parsed->scheme == "http") {
    const std::string ip =
        address->find(':') != std::string::npos ? "[" + *address + "]" : *address;
    base = "http://" + ip + ":" + std::to_string(parsed->port);
  }
  web::http::client::http_client_config config = NoRedirectsConfig();
  config.set_timeout(delivery_.timeout);
  auto backoff = delivery_.backoff;
  std::string last;
  for (int attempt = 1; attempt <= delivery_.attempts; ++attempt) {
    if (attempt > 1) {
      sleep_(backoff);
      backoff *= 2;
    }
    try {
      web::http::client::http_client client(to_string_t(base), config);
      web::http::http_request request(web::http::methods::POST);
      if (parsed->scheme == "http") {
        request.set_request_uri(to_string_t(parsed->path_and_query));
        request.headers().add(to_string_t("Host"), to_string_t(host_header));
      }
      request.set_body(alerts.dump(), "application/json");
      auto response = client.request(request).get();
      if (auto refused = RedirectRefused(response, "alert webhook")) {
        return Error::Terminal(refused->code, Bounded(refused->message, max), refused->http_status);
      }
      const int code = response.status_code();
      if (code < 300) return Status::Ok();
      last = "answered HTTP " + std::to_string(code);
      if (code < 500 && code != 408 && code != 429) {
        return Error::Terminal("WebhookFailed", Bounded(last, max), code);
      }
    } catch (const std::exception& e) {
      last = e.what();
    }
  }
  const std::string tries =
      delivery_.attempts > 1 ? " (" + std::to_string(delivery_.attempts) + " attempts)" : "";
  return Error::Retryable("WebhookFailed",
                          Bounded(last, max > tries.size() ? max - tries.size() : 0) + tries);
}

}  // namespace kubeheal::controllers
