#include "kubeheal/agent/proc_fs_stats_reader.h"

#include "kubeheal/common/process_stats.h"

namespace kubeheal::agent {

// The figures come from the one /proc reader in common, so the agent, the operator and the
// sample services export the same process_* values; a read failure is zeros, as promised.
ProcessStats ProcFsStatsReader::read() const {
  ProcessStats stats;
  auto read = ReadProcessStats();
  if (!read.ok()) return stats;
  stats.cpuSeconds = read->cpu_seconds;
  stats.startTimeSeconds = read->start_time_seconds;
  stats.residentBytes = read->resident_bytes;
  stats.openFds = read->open_fds;
  return stats;
}

}  // namespace kubeheal::agent
