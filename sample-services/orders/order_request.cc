#include "order_request.h"

#include <cctype>

namespace kubeheal::samples {

double OrderRequest::Total() const {
  double total = 0;
  for (const OrderItem& item : items) total += static_cast<double>(item.quantity) * item.unit_price;
  return total;
}

Validated<OrderRequest> ParseOrderRequest(const std::string& body) {
  using V = Validated<OrderRequest>;
  auto object = ParseJsonObject(body);
  if (!object.ok()) return V::Fail(object.error.message, object.error.field);
  const nlohmann::json& json = *object.value;
  OrderRequest order;
  auto user_id = RequireInteger(json, "user_id", 1, 1LL << 53);
  if (!user_id.ok()) return V::Fail(user_id.error.message, user_id.error.field);
  order.user_id = *user_id.value;
  if (json.contains("currency")) {
    auto currency = RequireString(json, "currency", 3, 3);
    if (!currency.ok()) return V::Fail(currency.error.message, currency.error.field);
    for (char c : *currency.value) {
      if (!std::isupper(static_cast<unsigned char>(c))) {
        return V::Fail("field 'currency' must be an ISO 4217 code such as EUR", "currency");
      }
    }
    order.currency = *currency.value;
  }
  auto items = json.find("items");
  if (items == json.end()) return V::Fail("field 'items' is required", "items");
  if (!items->is_array() || items->empty() || items->size() > 100) {
    return V::Fail("field 'items' must be an array of 1 to 100 items", "items");
  }
  for (size_t i = 0; i < items->size(); ++i) {
    const nlohmann::json& item = (*items)[i];
    std::string where = "items[" + std::to_string(i) + "]";
    if (!item.is_object()) return V::Fail("'" + where + "' must be an object", where);
    auto sku = RequireString(item, "sku", 1, 64);
    if (!sku.ok()) return V::Fail(sku.error.message, where + "." + sku.error.field);
    auto quantity = RequireInteger(item, "quantity", 1, 1000);
    if (!quantity.ok()) return V::Fail(quantity.error.message, where + "." + quantity.error.field);
    auto price = RequireNumber(item, "unit_price", 0.01, 100000);
    if (!price.ok()) return V::Fail(price.error.message, where + "." + price.error.field);
    order.items.push_back(OrderItem{*sku.value, *quantity.value, *price.value});
  }
  return V{std::move(order), {}};
}

}  // namespace kubeheal::samples
