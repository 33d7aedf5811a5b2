#pragma once

#include <memory>
#include <vector>

#include <prometheus/collectable.h>
#include <prometheus/metric_family.h>

#include "kubeheal/kube/process_info_source.h"

namespace kubeheal::kube {

// The standard process_* metrics (process_cpu_seconds_total, process_resident_memory_bytes,
// process_virtual_memory_bytes, process_open_fds, process_max_fds, process_start_time_seconds)
// for a scrape: prometheus-cpp has no process collector. Reads its source on every Collect()
// (on the metrics listener's thread); when the source fails the scrape simply lacks them.
class ProcessCollector final : public prometheus::Collectable {
 public:
  explicit ProcessCollector(std::shared_ptr<const ProcessInfoSource> source);
  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  std::shared_ptr<const ProcessInfoSource> source_;
};

}  // namespace kubeheal::kube
