#pragma once

#include <vector>

#include <prometheus/collectable.h>
#include <prometheus/metric_family.h>

#include "kubeheal/common/process_stats.h"

namespace kubeheal::samples {

// The process_* metrics Prometheus clients in other languages export (CPU seconds, resident
// and virtual memory, open file descriptors, threads, start time), read from /proc at scrape
// time by kubeheal::ReadProcessStats; when that fails the scrape simply lacks them.
// prometheus-cpp has no such collector. Collect() may run on any thread.
class ProcessMetricsCollector final : public prometheus::Collectable {
 public:
  explicit ProcessMetricsCollector(ProcFsLayout layout = {});
  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  ProcFsLayout layout_;
};

}  // namespace kubeheal::samples
