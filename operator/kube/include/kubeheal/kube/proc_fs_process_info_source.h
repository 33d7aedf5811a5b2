#pragma once

#include <string>

#include "kubeheal/kube/process_info_source.h"

namespace kubeheal::kube {

// Where and how to read /proc. The defaults are this process on Linux; tests point `proc_root`
// at a fixture directory and fix the tick rate and page size so figures are exact.
struct ProcFsLayout {
  std::string proc_root = "/proc";
  std::string pid = "self";
  double clock_ticks_per_second = 0;  // 0: sysconf(_SC_CLK_TCK)
  double page_size_bytes = 0;         // 0: sysconf(_SC_PAGESIZE)
};

// ProcessInfo from <root>/<pid>/stat (cpu, memory, start ticks), <root>/<pid>/limits (max
// open files), <root>/<pid>/fd (open descriptors) and <root>/stat (boot time). A missing or
// malformed file is an error naming the file and what was wrong in it.
class ProcFsProcessInfoSource final : public ProcessInfoSource {
 public:
  explicit ProcFsProcessInfoSource(ProcFsLayout layout = {});
  Result<ProcessInfo> Read() const override;

 private:
  ProcFsLayout layout_;
};

}  // namespace kubeheal::kube
