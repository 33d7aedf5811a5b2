#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "kubeheal/sample_http/recent_records.h"

namespace kubeheal::samples {

struct OrderItem {
  std::string sku;
  std::int64_t quantity = 0;
  double unit_price = 0;
};

struct Order {
  std::int64_t id = 0;
  std::int64_t user_id = 0;
  std::vector<OrderItem> items;
  double total = 0;
  std::int64_t payment_id = 0;
  std::string status;  // "paid"
  std::uint64_t score = 0;
};

// Orders placed so far, bounded (the oldest are forgotten past the capacity). Ids are handed
// out before payment so the payment can refer to the order. Thread-safe.
using OrderBook = RecentRecords<Order>;

}  // namespace kubeheal::samples
