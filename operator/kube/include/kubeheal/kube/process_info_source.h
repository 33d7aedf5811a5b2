#pragma once

#include <optional>

#include "kubeheal/common/result.h"

namespace kubeheal::kube {

// What the standard process_* metrics report about this process (the names and units of
// client_golang's process collector, which dashboards and alerts everywhere expect).
struct ProcessInfo {
  double cpu_seconds = 0;  // user + system
  double resident_bytes = 0;
  double virtual_bytes = 0;
  double open_fds = 0;
  std::optional<double> max_fds;  // soft RLIMIT_NOFILE; none when unlimited
  double start_time_seconds = 0;  // since the Unix epoch
};

// Reads the process's figures. An interface so the collector is tested on fixed figures and
// the /proc reader on a fixture directory. Read() may be called from any thread.
class ProcessInfoSource {
 public:
  virtual ~ProcessInfoSource() = default;
  virtual Result<ProcessInfo> Read() const = 0;
};

}  // namespace kubeheal::kube
