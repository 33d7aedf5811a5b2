#pragma once

#include "kubeheal/common/process_stats.h"
#include "kubeheal/common/result.h"

namespace kubeheal::kube {

// What the standard process_* metrics report about this process (kubeheal::ProcessStats, read
// by the one /proc reader in common).
using ProcessInfo = ProcessStats;

// Reads the process's figures. An interface so the collector is tested on fixed figures and
// the /proc reader on a fixture directory. Read() may be called from any thread.
class ProcessInfoSource {
 public:
  virtual ~ProcessInfoSource() = default;
  virtual Result<ProcessInfo> Read() const = 0;
};

}  // namespace kubeheal::kube
