#include "payment_ledger.h"

namespace kubeheal::samples {

Payment PaymentLedger::Authorize(std::int64_t order_id, double amount,
                                 const std::string& currency) {
  return payments_.Add(Payment{0, order_id, amount, currency, "authorized"});
}

PaymentLedger::RefundOutcome PaymentLedger::Refund(std::int64_t id, Payment& refunded) {
  auto outcome = payments_.Update(id, [&refunded](Payment& payment) {
    if (payment.status == "refunded") return RefundOutcome::kAlreadyRefunded;
    payment.status = "refunded";
    refunded = payment;
    return RefundOutcome::kRefunded;
  });
  return outcome.value_or(RefundOutcome::kNotFound);
}

}  // namespace kubeheal::samples
