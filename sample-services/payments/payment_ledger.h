#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>

namespace kubeheal::samples {

struct Payment {
  std::int64_t id = 0;
  std::int64_t order_id = 0;
  double amount = 0;
  std::string currency;
  std::string status;  // "authorized" or "refunded"
};

// Payments taken so far, bounded: the oldest are forgotten past `capacity`, so a long load
// test does not grow the process without end. Thread-safe (one mutex).
class PaymentLedger {
 public:
  explicit PaymentLedger(size_t capacity = 100000) : capacity_(capacity) {}

  Payment Authorize(std::int64_t order_id, double amount, const std::string& currency);
  std::optional<Payment> Get(std::int64_t id) const;
  enum class RefundOutcome { kRefunded, kNotFound, kAlreadyRefunded };
  RefundOutcome Refund(std::int64_t id, Payment& refunded);

 private:
  size_t capacity_;
  mutable std::mutex mutex_;  // guards everything below
  std::map<std::int64_t, Payment> payments_;
  std::int64_t next_id_ = 1;
};

}  // namespace kubeheal::samples
