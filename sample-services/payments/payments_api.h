#pragma once

#include <string>

#include "kubeheal/common/clock.h"
#include "kubeheal/sample_http/router.h"
#include "latency_model.h"
#include "payment_ledger.h"

namespace kubeheal::samples {

// The payments service's business endpoints:
//   POST /payments {order_id, amount, currency}   GET /payments/{id}
//   POST /payments/{id}/refund
// and, when `test_knobs` is set, GET|PUT /admin/slowdown {"extra_ms": N}: a run-time delay
// added to every authorisation, for cascade drills without the agent.
struct PaymentsDependencies {
  PaymentLedger& ledger;
  LatencyModel& latency;
  Clock& clock;
  bool test_knobs = false;
};

void AddPaymentsRoutes(Router& router, PaymentsDependencies deps);

std::string PaymentsOpenApi();

}  // namespace kubeheal::samples
