#pragma once

#include <cstdint>

namespace kubeheal::agent {

struct ProcessStats {
  double residentBytes = 0;
  double cpuSeconds = 0;
  double startTimeSeconds = 0;
  double openFds = 0;
};

// Where process_* metrics come from; the real one reads /proc/self.
class ProcessStatsReader {
 public:
  virtual ~ProcessStatsReader() = default;
  virtual ProcessStats read() const = 0;
};

}  // namespace kubeheal::agent
