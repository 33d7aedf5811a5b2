#pragma once

#include <optional>
#include <string>

#include "kubeheal/common/result.h"

namespace kubeheal {

// What the standard process_* metrics report about a process (the names and units of
// client_golang's process collector, which dashboards and alerts everywhere expect). Each
// component exports the families it always has; the figures come from one reader.
struct ProcessStats {
  double cpu_seconds = 0;  // user + system
  double resident_bytes = 0;
  double virtual_bytes = 0;
  double threads = 0;
  double open_fds = 0;
  std::optional<double> max_fds;  // soft RLIMIT_NOFILE; none when unlimited
  double start_time_seconds = 0;  // since the Unix epoch
};

// Where and how to read /proc. The defaults are this process on Linux; tests point `proc_root`
// at a fixture directory and fix the tick rate and page size so figures are exact.
struct ProcFsLayout {
  std::string proc_root = "/proc";
  std::string pid = "self";
  double clock_ticks_per_second = 0;  // 0: sysconf(_SC_CLK_TCK)
  double page_size_bytes = 0;         // 0: sysconf(_SC_PAGESIZE)
};

// The one /proc reader of kubeheal (operator, agent and sample services): ProcessStats from
// <root>/<pid>/stat (cpu, memory, threads, start ticks), <root>/<pid>/limits (max open files),
// <root>/<pid>/fd (open descriptors) and <root>/stat (boot time). A missing or malformed file is
// an error naming the file and what was wrong in it. Safe to call from any thread.
Result<ProcessStats> ReadProcessStats(const ProcFsLayout& layout = {});

}  // namespace kubeheal
