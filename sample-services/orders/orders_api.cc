#include "orders_api.h"

#include <nlohmann/json.hpp>

#include "cpu_work.h"
#include "kubeheal/sample_http/json_request.h"
#include "kubeheal/sample_http/json_response.h"
#include "order_request.h"

namespace kubeheal::samples {

namespace {

nlohmann::json ToJson(const Order& order) {
  nlohmann::json items = nlohmann::json::array();
  for (const OrderItem& item : order.items) {
    items.push_back(
        {{"sku", item.sku}, {"quantity", item.quantity}, {"unit_price", item.unit_price}});
  }
  return {{"id", order.id},
          {"user_id", order.user_id},
          {"items", items},
          {"total", order.total},
          {"payment_id", order.payment_id},
          {"status", order.status},
          {"risk_score", order.score % 1000}};
}

// 502 with the dependency named: the caller sees which hop failed.
HttpResponse DependencyFailure(const std::string& dependency, const std::string& detail) {
  return JsonResponse(502,
                      {{"error", dependency + " failed: " + detail}, {"dependency", dependency}});
}

HttpResponse PlaceOrder(const OrdersDependencies& deps, const HttpRequest& request) {
  auto parsed = ParseOrderRequest(request.body);
  if (!parsed.ok()) return FieldErrorResponse(parsed.error);
  const OrderRequest& input = *parsed.value;

  if (deps.users) {
    auto user = deps.users->Send(ClientRequest{"GET", "/users/" + std::to_string(input.user_id), "",
                                               deps.dependency_timeout});
    if (!user) return DependencyFailure("users", user.error().message);
    if (user->status == 404) {
      return JsonError(422, "user " + std::to_string(input.user_id) + " does not exist", "user_id");
    }
    if (user->status != 200) {
      return DependencyFailure("users", "status " + std::to_string(user->status));
    }
  }

  Order order;
  order.id = deps.book.NextId();
  order.user_id = input.user_id;
  order.items = input.items;
  order.total = input.Total();
  order.score = ScoreOrder(static_cast<std::uint64_t>(order.id), deps.work_units);

  if (deps.payments) {
    nlohmann::json payment = {
        {"order_id", order.id}, {"amount", order.total}, {"currency", input.currency}};
    auto paid = deps.payments->Send(
        ClientRequest{"POST", "/payments", payment.dump(), deps.dependency_timeout});
    if (!paid) return DependencyFailure("payments", paid.error().message);
    if (paid->status != 201) {
      return DependencyFailure("payments", "status " + std::to_string(paid->status));
    }
    auto answer = nlohmann::json::parse(paid->body, nullptr, false);
    if (answer.is_object() && answer.contains("id") && answer["id"].is_number_integer()) {
      order.payment_id = answer["id"].get<std::int64_t>();
    }
  }
  order.status = "paid";
  deps.book.Store(order);
  return JsonResponse(201, ToJson(order));
}

HttpResponse Quote(const OrdersDependencies& deps, const HttpRequest& request) {
  auto parsed = ParseOrderRequest(request.body);
  if (!parsed.ok()) return FieldErrorResponse(parsed.error);
  std::uint64_t score =
      ScoreOrder(static_cast<std::uint64_t>(parsed.value->user_id), deps.work_units);
  return JsonResponse(200, {{"total", parsed.value->Total()}, {"risk_score", score % 1000}});
}

HttpResponse GetOrder(const OrdersDependencies& deps, const HttpRequest& request) {
  auto id = ParseIntegerText(request.path_params.at("id"), "id", 1, 1LL << 53);
  if (!id.ok()) return FieldErrorResponse(id.error);
  auto order = deps.book.Get(*id.value);
  if (!order) return JsonError(404, "order " + std::to_string(*id.value) + " not found", "id");
  return JsonResponse(200, ToJson(*order));
}

HttpResponse ListOrders(const OrdersDependencies& deps, const HttpRequest& request) {
  auto it = request.query.find("limit");
  auto limit = ParseIntegerText(it == request.query.end() ? "20" : it->second, "limit", 1, 1000);
  if (!limit.ok()) return FieldErrorResponse(limit.error);
  nlohmann::json items = nlohmann::json::array();
  for (const Order& order : deps.book.Recent(*limit.value)) items.push_back(ToJson(order));
  return JsonResponse(200, {{"items", items}});
}

}  // namespace

void AddOrdersRoutes(Router& router, OrdersDependencies deps) {
  router.Add("POST", "/orders", [deps](const HttpRequest& r) { return PlaceOrder(deps, r); });
  router.Add("POST", "/orders/quote", [deps](const HttpRequest& r) { return Quote(deps, r); });
  router.Add("GET", "/orders", [deps](const HttpRequest& r) { return ListOrders(deps, r); });
  router.Add("GET", "/orders/{id}", [deps](const HttpRequest& r) { return GetOrder(deps, r); });
}

}  // namespace kubeheal::samples
