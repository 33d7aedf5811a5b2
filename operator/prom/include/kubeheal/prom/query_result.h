#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "kubeheal/common/clock.h"

namespace kubeheal::prom {

// One point of a series. Prometheus writes timestamps as float seconds since the epoch and
// values as strings; "NaN", "+Inf" and "-Inf" arrive here as the matching double.
struct Sample {
  Clock::TimePoint time;
  double value = 0;
};

// A labelled series: one sample for an instant vector, many for a range matrix.
struct Series {
  std::map<std::string, std::string> labels;  // includes __name__ when Prometheus keeps it
  std::vector<Sample> samples;
};

enum class ResultType { kVector, kMatrix, kScalar, kString };

// "vector", "matrix", "scalar", "string": the names of the HTTP API.
std::string_view ResultTypeName(ResultType type);

// The `data` of a successful query. Which fields are filled depends on `type`:
//   kVector / kMatrix: `series` (each vector series has exactly one sample)
//   kScalar: `scalar`
//   kString: `string_value` (with its timestamp in `scalar.time`)
struct QueryResult {
  ResultType type = ResultType::kVector;
  std::vector<Series> series;
  Sample scalar;
  std::string string_value;
  std::vector<std::string> warnings;  // non-fatal warnings the server attached
};

}  // namespace kubeheal::prom
