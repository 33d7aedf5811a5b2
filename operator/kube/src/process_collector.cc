#include "kubeheal/kube/process_collector.h"

namespace kubeheal::kube {
namespace {

prometheus::MetricFamily One(const std::string& name, const std::string& help,
                             prometheus::MetricType type, double value) {
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
  family.metric.push_back(std::move(metric));
  return family;
}

}  // namespace

ProcessCollector::ProcessCollector(std::shared_ptr<const ProcessInfoSource> source)
    : source_(std::move(source)) {}

std::vector<prometheus::MetricFamily> ProcessCollector::Collect() const {
  using prometheus::MetricType;
  auto info = source_->Read();
  if (!info.ok()) return {};
  std::vector<prometheus::MetricFamily> out;
  out.push_back(One("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.",
                    MetricType::Counter, info->cpu_seconds));
  out.push_back(One("process_resident_memory_bytes", "Resident memory size in bytes.",
                    MetricType::Gauge, info->resident_bytes));
  out.push_back(One("process_virtual_memory_bytes", "Virtual memory size in bytes.",
                    MetricType::Gauge, info->virtual_bytes));
  out.push_back(One("process_open_fds", "Number of open file descriptors.", MetricType::Gauge,
                    info->open_fds));
  if (info->max_fds) {
    out.push_back(One("process_max_fds", "Maximum number of open file descriptors.",
                      MetricType::Gauge, *info->max_fds));
  }
  out.push_back(One("process_start_time_seconds",
                    "Start time of the process since unix epoch in seconds.", MetricType::Gauge,
                    info->start_time_seconds));
  return out;
}

}  // namespace kubeheal::kube
