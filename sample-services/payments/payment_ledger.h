#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "kubeheal/sample_http/recent_records.h"

namespace kubeheal::samples {

struct Payment {
  std::int64_t id = 0;
  std::int64_t order_id = 0;
  double amount = 0;
  std::string currency;
  std::string status;  // "authorized" or "refunded"
};

// Payments taken so far, bounded: the oldest are forgotten past `capacity`, so a long load
// test does not grow the process without end. Thread-safe (RecentRecords' mutex).
class PaymentLedger {
 public:
  explicit PaymentLedger(size_t capacity = 100000) : payments_(capacity) {}

  Payment Authorize(std::int64_t order_id, double amount, const std::string& currency);
  std::optional<Payment> Get(std::int64_t id) const { return payments_.Get(id); }
  enum class RefundOutcome { kRefunded, kNotFound, kAlreadyRefunded };
  RefundOutcome Refund(std::int64_t id, Payment& refunded);

 private:
  RecentRecords<Payment> payments_;
};

}  // namespace kubeheal::samples
