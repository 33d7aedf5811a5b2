#include "payment_ledger.h"

namespace kubeheal::samples {

Payment PaymentLedger::Authorize(std::int64_t order_id, double amount,
                                 const std::string& currency) {
  Payment payment{payments_.NextId(), order_id, amount, currency, "authorized"};
  payments_.Store(payment);
  return payment;
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
