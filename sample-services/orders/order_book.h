#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

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

// Orders placed so far, bounded (the oldest are forgotten past `capacity`). Ids are handed
// out before payment so the payment can refer to the order. Thread-safe (one mutex).
class OrderBook {
 public:
  explicit OrderBook(size_t capacity = 100000) : capacity_(capacity) {}

  std::int64_t NextId();
  void Store(const Order& order);
  std::optional<Order> Get(std::int64_t id) const;
  // Newest first.
  std::vector<Order> Recent(size_t limit) const;

 private:
  size_t capacity_;
  mutable std::mutex mutex_;  // guards everything below
  std::map<std::int64_t, Order> orders_;
  std::int64_t next_id_ = 1;
};

}  // namespace kubeheal::samples
