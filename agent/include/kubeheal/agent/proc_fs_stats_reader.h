#pragma once

#include "kubeheal/agent/process_stats.h"

namespace kubeheal::agent {

// Reads /proc/self/stat and /proc/self/fd. Missing files give zeros, never an error.
class ProcFsStatsReader final : public ProcessStatsReader {
 public:
  ProcessStats read() const override;
};

}  // namespace kubeheal::agent
