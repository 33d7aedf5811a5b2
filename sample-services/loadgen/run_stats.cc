#include "run_stats.h"

namespace kubeheal::samples {

void RunStats::RecordResponse(int status, std::int64_t latency_us) {
  std::lock_guard lock(mutex_);
  ++totals_.responses;
  ++totals_.status_counts[status];
  totals_.latency.Record(latency_us);
  ++window_.responses;
  if (status < 200 || status > 299) ++window_.non_2xx;
  window_.latency.Record(latency_us);
}

void RunStats::RecordError(const std::string& reason, std::int64_t latency_us) {
  std::lock_guard lock(mutex_);
  ++totals_.errors;
  ++totals_.error_counts[reason];
  totals_.latency.Record(latency_us);
  ++window_.errors;
  window_.latency.Record(latency_us);
}

RunStats::Window RunStats::TakeWindow() {
  std::lock_guard lock(mutex_);
  Window taken = window_;
  window_.responses = window_.errors = window_.non_2xx = 0;
  window_.latency.Reset();
  return taken;
}

RunStats::Totals RunStats::Snapshot() const {
  std::lock_guard lock(mutex_);
  return totals_;
}

std::string ErrorReason(const std::string& message) {
  // The URL ends at the first ": " after "http://".
  size_t url = message.find("http://");
  if (url == std::string::npos) return message;
  size_t sep = message.find(": ", url);
  return sep == std::string::npos ? message : message.substr(sep + 2);
}

}  // namespace kubeheal::samples
