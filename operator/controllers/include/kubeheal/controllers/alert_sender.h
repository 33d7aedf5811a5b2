#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "kubeheal/common/result.h"

namespace kubeheal::controllers {

// Posts alerts to a webhook in Alertmanager's JSON shape (POST /api/v2/alerts body: an array
// of {labels, annotations, startsAt, endsAt, generatorURL}). Thread-safe.
class AlertSender {
 public:
  virtual ~AlertSender() = default;
  virtual Status Send(const std::string& url, const nlohmann::json& alerts) = 0;
};

// The real one, over cpprestsdk.
class WebhookAlertSender final : public AlertSender {
 public:
  Status Send(const std::string& url, const nlohmann::json& alerts) override;
};

}  // namespace kubeheal::controllers
