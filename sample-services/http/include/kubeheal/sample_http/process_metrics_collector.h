#pragma once

#include <string>
#include <vector>

#include <prometheus/client_metric.h>
#include <prometheus/collectable.h>
#include <prometheus/metric_family.h>
#include <prometheus/metric_type.h>

namespace kubeheal::samples {

// The process_* metrics Prometheus clients in other languages export (CPU seconds, resident
// and virtual memory, open file descriptors, threads, start time), read from /proc/self at
// scrape time. prometheus-cpp has no such collector. Collect() may run on any thread.
class ProcessMetricsCollector final : public prometheus::Collectable {
 public:
  explicit ProcessMetricsCollector(std::string proc_dir = "/proc/self");
  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  std::string proc_dir_;
};

}  // namespace kubeheal::samples
