#include "payment_ledger.h"

namespace kubeheal::samples {

Payment PaymentLedger::Authorize(std::int64_t order_id, double amount,
                                 const std::string& currency) {
  std::lock_guard lock(mutex_);
  Payment payment{next_id_++, order_id, amount, currency, "authorized"};
  payments_[payment.id] = payment;
  while (payments_.size() > capacity_) payments_.erase(payments_.begin());
  return payment;
}

std::optional<Payment> PaymentLedger::Get(std::int64_t id) const {
  std::lock_guard lock(mutex_);
  auto it = payments_.find(id);
  if (it == payments_.end()) return std::nullopt;
  return it->second;
}

PaymentLedger::RefundOutcome PaymentLedger::Refund(std::int64_t id, Payment& refunded) {
  std::lock_guard lock(mutex_);
  auto it = payments_.find(id);
  if (it == payments_.end()) return RefundOutcome::kNotFound;
  if (it->second.status == "refunded") return RefundOutcome::kAlreadyRefunded;
  it->second.status = "refunded";
  refunded = it->second;
  return RefundOutcome::kRefunded;
}

}  // namespace kubeheal::samples
