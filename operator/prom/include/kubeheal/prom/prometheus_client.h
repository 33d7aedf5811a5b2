#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "kubeheal/common/clock.h"
#include "kubeheal/common/result.h"
#include "kubeheal/prom/query_result.h"

namespace kubeheal::prom {

// GET/POST /api/v1/query. Without `time` the server evaluates at its own "now".
struct InstantQuery {
  std::string expr;
  std::optional<Clock::TimePoint> time;
  // Sent as the `timeout` parameter: the server aborts the evaluation after this long and
  // answers errorType "timeout". Zero leaves the server's default (--query.timeout).
  std::chrono::milliseconds timeout{0};
};

// /api/v1/query_range over [start, end] every `step`.
struct RangeQuery {
  std::string expr;
  Clock::TimePoint start;
  Clock::TimePoint end;
  std::chrono::milliseconds step{std::chrono::seconds(15)};
  std::chrono::milliseconds timeout{0};
};

// The Prometheus HTTP API v1 as the operator needs it (Thanos and Mimir speak the same API).
// Errors are values: Error::code is one of
//   BadData, Execution, NotFound (terminal: the query or request is wrong)
//   Timeout, Canceled, Internal, Unavailable (retryable: try again later)
//   Unauthorized, Forbidden (terminal), HttpError (retryable for 429/5xx, terminal otherwise),
//   InvalidResponse (terminal: the body is not the API's JSON), InvalidArgument (terminal),
//   ResponseTooLarge (terminal: the answer is over the client's size cap).
// IsQueryError() tells the errors of the query itself (bad PromQL, its evaluation failed) from
// those of reaching Prometheus.
// Implementations are safe to call from several threads at once.
class PrometheusClient {
 public:
  virtual ~PrometheusClient() = default;
  virtual Result<QueryResult> Query(const InstantQuery& query) = 0;
  virtual Result<QueryResult> QueryRange(const RangeQuery& query) = 0;
};

// BadData, Execution and ResponseTooLarge: Prometheus answered, and the query is what is wrong
// (a PromQL syntax error, a type error, too many samples, an answer over the size cap); asking
// again does not help, fixing the policy does.
inline bool IsQueryError(const Error& error) {
  return error.code == "BadData" || error.code == "Execution" || error.code == "ResponseTooLarge";
}

}  // namespace kubeheal::prom
