#include "payments_api.h"

#include <cctype>

#include <nlohmann/json.hpp>

#include "kubeheal/sample_http/json_request.h"
#include "kubeheal/sample_http/json_response.h"

namespace kubeheal::samples {

namespace {

constexpr long long kMaxId = 1LL << 53;

nlohmann::json ToJson(const Payment& p) {
  return {{"id", p.id},
          {"order_id", p.order_id},
          {"amount", p.amount},
          {"currency", p.currency},
          {"status", p.status}};
}

HttpResponse Authorize(const PaymentsDependencies& deps, const HttpRequest& request) {
  auto body = ParseJsonObject(request.body);
  if (!body.ok()) return FieldErrorResponse(body.error);
  auto order_id = RequireInteger(*body.value, "order_id", 1, kMaxId);
  if (!order_id.ok()) return FieldErrorResponse(order_id.error);
  auto amount = RequireNumber(*body.value, "amount", 0.01, 1e6);
  if (!amount.ok()) return FieldErrorResponse(amount.error);
  auto currency = RequireString(*body.value, "currency", 3, 3);
  if (!currency.ok()) return FieldErrorResponse(currency.error);
  for (char c : *currency.value) {
    if (!std::isupper(static_cast<unsigned char>(c))) {
      return JsonError(400, "field 'currency' must be an ISO 4217 code such as EUR", "currency");
    }
  }
  auto delay = deps.latency.Next();
  deps.clock.SleepFor(delay);
  Payment payment = deps.ledger.Authorize(*order_id.value, *amount.value, *currency.value);
  nlohmann::json out = ToJson(payment);
  out["processing_ms"] = static_cast<double>(delay.count()) / 1000.0;
  return JsonResponse(201, out);
}

HttpResponse GetPayment(const PaymentsDependencies& deps, const HttpRequest& request) {
  auto id = ParseIntegerText(request.path_params.at("id"), "id", 1, kMaxId);
  if (!id.ok()) return FieldErrorResponse(id.error);
  auto payment = deps.ledger.Get(*id.value);
  if (!payment) return JsonError(404, "payment " + std::to_string(*id.value) + " not found", "id");
  return JsonResponse(200, ToJson(*payment));
}

HttpResponse Refund(const PaymentsDependencies& deps, const HttpRequest& request) {
  auto id = ParseIntegerText(request.path_params.at("id"), "id", 1, kMaxId);
  if (!id.ok()) return FieldErrorResponse(id.error);
  Payment refunded;
  switch (deps.ledger.Refund(*id.value, refunded)) {
    case PaymentLedger::RefundOutcome::kNotFound:
      return JsonError(404, "payment " + std::to_string(*id.value) + " not found", "id");
    case PaymentLedger::RefundOutcome::kAlreadyRefunded:
      return JsonError(409, "payment " + std::to_string(*id.value) + " is already refunded", "id");
    case PaymentLedger::RefundOutcome::kRefunded:
      break;
  }
  return JsonResponse(200, ToJson(refunded));
}

HttpResponse SetSlowdown(const PaymentsDependencies& deps, const HttpRequest& request) {
  auto body = ParseJsonObject(request.body);
  if (!body.ok()) return FieldErrorResponse(body.error);
  auto extra = RequireInteger(*body.value, "extra_ms", 0, 60000);
  if (!extra.ok()) return FieldErrorResponse(extra.error);
  deps.latency.SetExtraDelay(std::chrono::milliseconds(*extra.value));
  return JsonResponse(200, {{"extra_ms", *extra.value}});
}

}  // namespace

void AddPaymentsRoutes(Router& router, PaymentsDependencies deps) {
  router.Add("POST", "/payments", [deps](const HttpRequest& r) { return Authorize(deps, r); });
  router.Add("GET", "/payments/{id}", [deps](const HttpRequest& r) { return GetPayment(deps, r); });
  router.Add("POST", "/payments/{id}/refund",
             [deps](const HttpRequest& r) { return Refund(deps, r); });
  if (!deps.test_knobs) return;
  router.Add("PUT", "/admin/slowdown",
             [deps](const HttpRequest& r) { return SetSlowdown(deps, r); });
  router.Add("GET", "/admin/slowdown", [deps](const HttpRequest&) {
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(deps.latency.ExtraDelay());
    return JsonResponse(200, {{"extra_ms", ms.count()}});
  });
}

}  // namespace kubeheal::samples
