#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>

#include "latency_histogram.h"

namespace kubeheal::samples {

// Counters of a load run: responses by status code, transport errors by reason, latency for
// the whole run and for the current one-second window. Thread-safe (one mutex; a few hundred
// nanoseconds per request, far below an HTTP round trip).
class RunStats {
 public:
  struct Totals {
    std::uint64_t responses = 0;  // any HTTP status
    std::uint64_t errors = 0;     // no HTTP answer
    std::map<int, std::uint64_t> status_counts;
    std::map<std::string, std::uint64_t> error_counts;
    LatencyHistogram latency;  // responses and errors alike, from the intended send time
  };
  struct Window {
    std::uint64_t responses = 0;
    std::uint64_t errors = 0;
    std::uint64_t non_2xx = 0;
    LatencyHistogram latency;
  };

  void RecordResponse(int status, std::int64_t latency_us);
  void RecordError(const std::string& reason, std::int64_t latency_us);
  // The window since the last call; starts a new one.
  Window TakeWindow();
  Totals Snapshot() const;

 private:
  mutable std::mutex mutex_;  // guards totals_ and window_
  Totals totals_;
  Window window_;
};

// "POST http://h:1/orders: connect failed: Connection refused" -> "connect failed: Connection
// refused": the reason without the URL, so errors group into a few lines.
std::string ErrorReason(const std::string& message);

}  // namespace kubeheal::samples
