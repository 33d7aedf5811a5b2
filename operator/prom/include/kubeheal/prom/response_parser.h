#pragma once

#include <string_view>

#include "kubeheal/common/result.h"
#include "kubeheal/prom/query_result.h"

namespace kubeheal::prom {

// Turns one HTTP answer of /api/v1/query or /api/v1/query_range into a QueryResult or an Error
// (see PrometheusClient for the error codes). `context` names the request in error messages,
// e.g. "query \"up\"". Never throws, whatever the body holds.
Result<QueryResult> ParseQueryResponse(int http_status, std::string_view body,
                                       std::string_view context);

// Parses a sample value as Prometheus writes it: a decimal string, "NaN", "+Inf" or "-Inf".
Result<double> ParseSampleValue(std::string_view text);

}  // namespace kubeheal::prom
