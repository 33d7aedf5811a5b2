#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "kubeheal/sample_http/http_client.h"
#include "kubeheal/sample_http/router.h"
#include "order_book.h"

namespace kubeheal::samples {

// The orders service's business endpoints:
//   POST /orders        validate, check the user (users), score (CPU), pay (payments), store
//   POST /orders/quote  validate and score only (pure CPU load)
//   GET  /orders?limit  GET /orders/{id}
// Dependencies are blocking calls, so their slowness holds this service's threads and shows
// in its own latency: the cascade the drills look for. A null client skips that step.
struct OrdersDependencies {
  OrderBook& book;
  HttpClient* users = nullptr;
  HttpClient* payments = nullptr;
  std::uint64_t work_units = 2000;
  std::chrono::milliseconds dependency_timeout{2000};
};

void AddOrdersRoutes(Router& router, OrdersDependencies deps);

std::string OrdersOpenApi();

}  // namespace kubeheal::samples
