#pragma once

#include <string>

#include "kubeheal/sample_http/json_request.h"
#include "order_book.h"

namespace kubeheal::samples {

// A validated order request: {"user_id": 1, "items": [{"sku": "A-1", "quantity": 2,
// "unit_price": 9.5}], "currency": "EUR"}. Errors name the field, e.g. "items[1].quantity".
struct OrderRequest {
  std::int64_t user_id = 0;
  std::vector<OrderItem> items;
  std::string currency = "EUR";
  double Total() const;
};

Validated<OrderRequest> ParseOrderRequest(const std::string& body);

}  // namespace kubeheal::samples
