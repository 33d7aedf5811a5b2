#pragma once

#include <chrono>
#include <functional>
#include <string>

#include <nlohmann/json.hpp>

#include "kubeheal/common/result.h"
#include "kubeheal/controllers/webhook_targets.h"

namespace kubeheal::controllers {

// Posts alerts to a webhook in Alertmanager's JSON shape (POST /api/v2/alerts body: an array
// of {labels, annotations, startsAt, endsAt, generatorURL}). Thread-safe. An error's message
// is a short reason fit for a policy's status (at most WebhookDelivery::max_reason characters).
class AlertSender {
 public:
  virtual ~AlertSender() = default;
  virtual Status Send(const std::string& url, const nlohmann::json& alerts) = 0;
};

// How hard the real sender tries. The worst case, attempts x timeout plus the backoffs (3 x 3 s
// + 0.5 s + 1 s by default), is spent in the reconcile that takes the alert action.
struct WebhookDelivery {
  std::chrono::milliseconds timeout{3000};  // per attempt, connect to last byte
  int attempts = 3;                         // 5xx, 408, 429, timeouts and connection errors
  std::chrono::milliseconds backoff{500};   // before the second attempt, doubled after
  size_t max_reason = 160;
};

// The real one, over cpprestsdk. Every URL passes WebhookTargetPolicy first; an http URL is
// then sent to the address that passed (Host header kept), so a name cannot resolve elsewhere
// between the check and the connection. An https URL connects by name (the certificate names
// the host); its address was checked once, just before. Redirects are refused.
class WebhookAlertSender final : public AlertSender {
 public:
  using Sleep = std::function<void(std::chrono::milliseconds)>;
  explicit WebhookAlertSender(WebhookTargetPolicy targets, WebhookDelivery delivery = {},
                              Sleep sleep = nullptr);
  Status Send(const std::string& url, const nlohmann::json& alerts) override;

 private:
  WebhookTargetPolicy targets_;
  WebhookDelivery delivery_;
  Sleep sleep_;
};

}  // namespace kubeheal::controllers
