#include "order_book.h"

namespace kubeheal::samples {

std::int64_t OrderBook::NextId() {
  std::lock_guard lock(mutex_);
  return next_id_++;
}

void OrderBook::Store(const Order& order) {
  std::lock_guard lock(mutex_);
  orders_[order.id] = order;
  while (orders_.size() > capacity_) orders_.erase(orders_.begin());
}

std::optional<Order> OrderBook::Get(std::int64_t id) const {
  std::lock_guard lock(mutex_);
  auto it = orders_.find(id);
  if (it == orders_.end()) return std::nullopt;
  return it->second;
}

std::vector<Order> OrderBook::Recent(size_t limit) const {
  std::lock_guard lock(mutex_);
  std::vector<Order> out;
  for (auto it = orders_.rbegin(); it != orders_.rend() && out.size() < limit; ++it) {
    out.push_back(it->second);
  }
  return out;
}

}  // namespace kubeheal::samples
