#include "kubeheal/agent/proc_fs_stats_reader.h"

#include <sys/sysinfo.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

namespace kubeheal::agent {
namespace {

double bootTimeSeconds() {
  std::ifstream stat("/proc/stat");
  std::string key;
  while (stat >> key) {
    if (key == "btime") {
      double value = 0;
      stat >> value;
      return value;
    }
    stat.ignore(1 << 20, '\n');
  }
  return 0;
}

}  // namespace

ProcessStats ProcFsStatsReader::read() const {
  ProcessStats stats;
  std::ifstream file("/proc/self/stat");
  std::string content((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  // Fields after the command name, which is in parentheses and may hold spaces.
  const auto close = content.rfind(')');
  if (close != std::string::npos) {
    std::istringstream rest(content.substr(close + 2));
    std::vector<std::string> fields{std::istream_iterator<std::string>(rest),
                                    std::istream_iterator<std::string>()};
    // rest[0] is field 3 (state): utime=14, stime=15, starttime=22, rss=24 (1-based).
    const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
    const double pageSize = static_cast<double>(sysconf(_SC_PAGESIZE));
    if (fields.size() > 21 && ticks > 0) {
      stats.cpuSeconds = (std::stod(fields[11]) + std::stod(fields[12])) / ticks;
      stats.startTimeSeconds = bootTimeSeconds() + std::stod(fields[19]) / ticks;
      stats.residentBytes = std::stod(fields[21]) * pageSize;
    }
  }
  std::error_code ec;
  std::filesystem::directory_iterator fds("/proc/self/fd", ec);
  if (!ec) {
    // The iterator holds the directory open itself: one entry is its own descriptor.
    const auto count = std::distance(fds, std::filesystem::directory_iterator());
    stats.openFds = std::max(0, static_cast<int>(count) - 1);
  }
  return stats;
}

}  // namespace kubeheal::agent
