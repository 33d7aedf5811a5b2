#include "run_report.h"

#include <cstdio>
#include <sstream>

namespace kubeheal::samples {

namespace {

std::string Ms(std::int64_t micros) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2fms", static_cast<double>(micros) / 1000.0);
  return buf;
}

std::string Fixed(double v, int digits) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

}  // namespace

std::string FormatProgress(const ProgressLine& line) {
  const auto& w = line.window;
  char head[32];
  std::snprintf(head, sizeof head, "[%4.0fs] ", line.elapsed);
  std::ostringstream out;
  out << head;
  if (line.target_rate > 0) out << "target " << Fixed(line.target_rate, 0) << "/s | ";
  out << Fixed(static_cast<double>(w.responses + w.errors), 0) << " req/s | 2xx "
      << (w.responses - w.non_2xx) << " other " << w.non_2xx << " errors " << w.errors << " | p50 "
      << Ms(w.latency.Percentile(0.5)) << " p99 " << Ms(w.latency.Percentile(0.99)) << " max "
      << Ms(w.latency.max());
  return out.str();
}

nlohmann::json SummaryJson(const RunSummary& s, const std::string& target) {
  const auto& h = s.totals.latency;
  nlohmann::json codes = nlohmann::json::object();
  for (const auto& [code, n] : s.totals.status_counts) codes[std::to_string(code)] = n;
  nlohmann::json errors = nlohmann::json::object();
  for (const auto& [reason, n] : s.totals.error_counts) errors[reason] = n;
  nlohmann::json out = {{"mode", ModeName(s.config.profile.mode)},
                        {"target", target},
                        {"duration_seconds", s.config.duration},
                        {"elapsed_seconds", s.elapsed},
                        {"concurrency", s.config.concurrency},
                        {"requests", s.issued},
                        {"responses", s.totals.responses},
                        {"errors", s.totals.errors},
                        {"not_sent", s.not_sent},
                        {"achieved_rate", s.achieved_rate()},
                        {"send_rate", s.send_rate()},
                        {"latency_ms",
                         {{"p50", h.Percentile(0.5) / 1000.0},
                          {"p90", h.Percentile(0.9) / 1000.0},
                          {"p99", h.Percentile(0.99) / 1000.0},
                          {"max", h.max() / 1000.0},
                          {"mean", h.mean() / 1000.0}}},
                        {"status_codes", codes},
                        {"error_reasons", errors}};
  if (s.config.profile.open_loop()) {
    out["target_rate"] = s.expected_requests / s.config.duration;
    out["expected_requests"] = s.expected_requests;
  }
  return out;
}

std::string FormatSummaryText(const RunSummary& s, const std::string& target) {
  const auto& h = s.totals.latency;
  std::ostringstream out;
  out << "kubeheal-loadgen summary\n"
      << "  mode         " << ModeName(s.config.profile.mode) << ", " << s.config.concurrency
      << " connections, target " << target << "\n"
      << "  time         " << Fixed(s.elapsed, 2) << " s (sending for "
      << Fixed(s.config.duration, 2) << " s)\n"
      << "  requests     " << s.issued << " sent, " << s.totals.responses << " answered, "
      << s.totals.errors << " errors, " << s.not_sent << " not sent\n"
      << "  rate         " << Fixed(s.achieved_rate(), 1) << " req/s achieved, "
      << Fixed(s.send_rate(), 1) << " req/s sent";
  if (s.config.profile.open_loop()) {
    out << " (target " << Fixed(s.expected_requests / s.config.duration, 1) << " req/s on average)";
  }
  out << "\n  latency      p50 " << Ms(h.Percentile(0.5)) << "  p90 " << Ms(h.Percentile(0.9))
      << "  p99 " << Ms(h.Percentile(0.99)) << "  max " << Ms(h.max())
      << "  (from the intended send time)\n  status codes";
  if (s.totals.status_counts.empty()) out << " none";
  for (const auto& [code, n] : s.totals.status_counts) out << " " << code << ": " << n;
  out << "\n";
  for (const auto& [reason, n] : s.totals.error_counts) {
    out << "  error        " << reason << ": " << n << "\n";
  }
  return out.str();
}

}  // namespace kubeheal::samples
