#include <nlohmann/json.hpp>

#include "kubeheal/sample_http/openapi_document.h"
#include "payments_api.h"

namespace kubeheal::samples {

std::string PaymentsOpenApi() {
  nlohmann::json authorize = {
      {"type", "object"},
      {"required", {"order_id", "amount", "currency"}},
      {"properties",
       {{"order_id", {{"type", "integer"}, {"minimum", 1}}},
        {"amount", {{"type", "number"}, {"minimum", 0.01}, {"maximum", 1000000}}},
        {"currency", {{"type", "string"}, {"pattern", "^[A-Z]{3}$"}}}}}};
  nlohmann::json slowdown = {
      {"type", "object"},
      {"required", {"extra_ms"}},
      {"properties", {{"extra_ms", {{"type", "integer"}, {"minimum", 0}, {"maximum", 60000}}}}}};
  OpenApiDocument doc("payments",
                      "Payment authorisation with variable latency and an occasional slow "
                      "card-network call.");
  doc.Operation("post", "/payments", "Authorise a payment.",
                {{"201", "authorised"}, {"400", "invalid input"}}, authorize)
      .Operation("get", "/payments/{id}", "Read a payment.",
                 {{"200", "the payment"}, {"400", "invalid id"}, {"404", "no such payment"}})
      .Operation("post", "/payments/{id}/refund", "Refund a payment.",
                 {{"200", "refunded"}, {"404", "no such payment"}, {"409", "already refunded"}})
      .Operation("put", "/admin/slowdown",
                 "Test knob (only with --enable-test-knobs): extra delay on every authorisation.",
                 {{"200", "set"}, {"400", "invalid extra_ms"}}, slowdown)
      .Operation("get", "/admin/slowdown", "Test knob: the current extra delay.",
                 {{"200", "current value"}});
  return doc.Dump();
}

}  // namespace kubeheal::samples
