#include "kubeheal/sample_http/process_metrics_collector.h"

#include <string>
#include <utility>

#include <prometheus/client_metric.h>
#include <prometheus/metric_type.h>

namespace kubeheal::samples {

namespace {

prometheus::MetricFamily Gauge(const std::string& name, const std::string& help, double value,
                               prometheus::MetricType type = prometheus::MetricType::Gauge) {
  prometheus::MetricFamily family;
  family.name = name;
  family.help = help;
  family.type = type;
  prometheus::ClientMetric metric;
  if (type == prometheus::MetricType::Counter) {
    metric.counter.value = value;
  } else {
    metric.gauge.value = value;
  }
  family.metric.push_back(metric);
  return family;
}

}  // namespace

ProcessMetricsCollector::ProcessMetricsCollector(ProcFsLayout layout)
    : layout_(std::move(layout)) {}

std::vector<prometheus::MetricFamily> ProcessMetricsCollector::Collect() const {
  auto stats = ReadProcessStats(layout_);
  if (!stats.ok()) return {};
  std::vector<prometheus::MetricFamily> out;
  out.push_back(Gauge("process_cpu_seconds_total",
                      "Total user and system CPU time spent in seconds.", stats->cpu_seconds,
                      prometheus::MetricType::Counter));
  out.push_back(Gauge("process_resident_memory_bytes", "Resident memory size in bytes.",
                      stats->resident_bytes));
  out.push_back(
      Gauge("process_virtual_memory_bytes", "Virtual memory size in bytes.", stats->virtual_bytes));
  out.push_back(Gauge("process_threads", "Number of OS threads in the process.", stats->threads));
  out.push_back(Gauge("process_open_fds", "Number of open file descriptors.", stats->open_fds));
  out.push_back(Gauge("process_start_time_seconds",
                      "Start time of the process since unix epoch in seconds.",
                      stats->start_time_seconds));
  return out;
}

}  // namespace kubeheal::samples
