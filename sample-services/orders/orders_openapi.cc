#include <nlohmann/json.hpp>

#include "kubeheal/sample_http/openapi_document.h"
#include "orders_api.h"

namespace kubeheal::samples {

std::string OrdersOpenApi() {
  nlohmann::json item = {
      {"type", "object"},
      {"required", {"sku", "quantity", "unit_price"}},
      {"properties",
       {{"sku", {{"type", "string"}, {"minLength", 1}, {"maxLength", 64}}},
        {"quantity", {{"type", "integer"}, {"minimum", 1}, {"maximum", 1000}}},
        {"unit_price", {{"type", "number"}, {"minimum", 0.01}, {"maximum", 100000}}}}}};
  nlohmann::json order = {
      {"type", "object"},
      {"required", {"user_id", "items"}},
      {"properties",
       {{"user_id", {{"type", "integer"}, {"minimum", 1}}},
        {"currency", {{"type", "string"}, {"pattern", "^[A-Z]{3}$"}, {"default", "EUR"}}},
        {"items", {{"type", "array"}, {"minItems", 1}, {"maxItems", 100}, {"items", item}}}}}};
  OpenApiDocument doc("orders",
                      "Places orders: checks the user (users), scores the order (CPU-heavy) and "
                      "takes the payment (payments).");
  doc.Operation("post", "/orders", "Place an order.",
                {{"201", "placed and paid"},
                 {"400", "invalid input"},
                 {"422", "the user does not exist"},
                 {"502", "users or payments failed"}},
                order)
      .Operation("post", "/orders/quote", "Price and score an order without placing it (CPU only).",
                 {{"200", "quote"}, {"400", "invalid input"}}, order)
      .Operation("get", "/orders", "Most recent orders (query: limit 1..1000, default 20).",
                 {{"200", "orders, newest first"}, {"400", "invalid limit"}})
      .Operation("get", "/orders/{id}", "Read one order.",
                 {{"200", "the order"}, {"400", "invalid id"}, {"404", "no such order"}});
  return doc.Dump();
}

}  // namespace kubeheal::samples
