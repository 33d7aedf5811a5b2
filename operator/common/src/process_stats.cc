#include "kubeheal/common/process_stats.h"

#include <dirent.h>
#include <unistd.h>

#include <charconv>
#include <fstream>
#include <sstream>
#include <vector>

namespace kubeheal {
namespace {

Result<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Error::Retryable("ProcUnreadable", path + ": cannot open");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::optional<double> ToNumber(const std::string& text) {
  double v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return v;
}

Error Malformed(const std::string& path, const std::string& what) {
  return Error::Terminal("ProcMalformed", path + ": " + what);
}

// proc(5) fields of <pid>/stat from field 3 (state) on: the command name before them is in
// parentheses and may itself hold spaces and parentheses, so split after the LAST ')'.
Result<std::vector<std::string>> StatFields(const std::string& path, const std::string& text) {
  const auto close = text.rfind(')');
  if (close == std::string::npos) return Malformed(path, "no \"(comm)\" field");
  std::istringstream rest(text.substr(close + 1));
  std::vector<std::string> fields;
  std::string field;
  while (rest >> field) fields.push_back(field);
  return fields;
}

Result<double> BootTimeSeconds(const std::string& path) {
  auto boot = ReadFile(path);
  if (!boot.ok()) return boot.error();
  std::optional<double> btime;
  std::istringstream lines(*boot);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.rfind("btime ", 0) == 0) btime = ToNumber(line.substr(6));
  }
  if (!btime) return Malformed(path, "no numeric \"btime\" line");
  return *btime;
}

// The soft limit on open files; nullopt when unlimited.
Result<std::optional<double>> MaxOpenFiles(const std::string& path) {
  auto limits = ReadFile(path);
  if (!limits.ok()) return limits.error();
  const std::string key = "Max open files";
  std::istringstream lines(*limits);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.rfind(key, 0) != 0) continue;
    std::istringstream values(line.substr(key.size()));
    std::string soft;
    values >> soft;
    if (soft == "unlimited") return std::optional<double>();
    const auto max = ToNumber(soft);
    if (!max) return Malformed(path, "Max open files: \"" + soft + "\"");
    return std::optional<double>(*max);
  }
  return Malformed(path, "no \"Max open files\" line");
}

Result<double> CountOpenFds(const std::string& path, bool self) {
  DIR* fds = opendir(path.c_str());
  if (fds == nullptr) return Error::Retryable("ProcUnreadable", path + ": cannot list");
  // Listing /proc/self/fd opens a descriptor of its own, which must not be counted.
  const std::string own = std::to_string(dirfd(fds));
  double count = 0;
  // readdir is unsafe only on a DIR* shared between threads; this one is ours alone.
  // NOLINTNEXTLINE(concurrency-mt-unsafe)
  while (const dirent* entry = readdir(fds)) {
    const std::string name = entry->d_name;
    if (name == "." || name == ".." || (self && name == own)) continue;
    ++count;
  }
  closedir(fds);
  return count;
}

}  // namespace

Result<ProcessStats> ReadProcessStats(const ProcFsLayout& layout) {
  const std::string dir = layout.proc_root + "/" + layout.pid;
  const double ticks = layout.clock_ticks_per_second > 0
                           ? layout.clock_ticks_per_second
                           : static_cast<double>(sysconf(_SC_CLK_TCK));
  const double page_size = layout.page_size_bytes > 0 ? layout.page_size_bytes
                                                      : static_cast<double>(sysconf(_SC_PAGESIZE));
  ProcessStats stats;

  const std::string stat_path = dir + "/stat";
  auto stat = ReadFile(stat_path);
  if (!stat.ok()) return stat.error();
  auto fields = StatFields(stat_path, *stat);
  if (!fields.ok()) return fields.error();
  // Index = proc(5) field number - 3: utime 14, stime 15, num_threads 20, starttime 22,
  // vsize 23, rss 24.
  if (fields->size() < 22) {
    return Malformed(stat_path,
                     "expected at least 24 fields, got " + std::to_string(fields->size() + 2));
  }
  const auto utime = ToNumber((*fields)[11]);
  const auto stime = ToNumber((*fields)[12]);
  const auto threads = ToNumber((*fields)[17]);
  const auto start_ticks = ToNumber((*fields)[19]);
  const auto vsize = ToNumber((*fields)[20]);
  const auto rss_pages = ToNumber((*fields)[21]);
  if (!utime || !stime || !threads || !start_ticks || !vsize || !rss_pages) {
    return Malformed(stat_path,
                     "utime, stime, num_threads, starttime, vsize or rss is not a number");
  }
  stats.cpu_seconds = (*utime + *stime) / ticks;
  stats.threads = *threads;
  stats.virtual_bytes = *vsize;
  stats.resident_bytes = *rss_pages * page_size;

  auto btime = BootTimeSeconds(layout.proc_root + "/stat");
  if (!btime.ok()) return btime.error();
  stats.start_time_seconds = *btime + *start_ticks / ticks;

  auto max_fds = MaxOpenFiles(dir + "/limits");
  if (!max_fds.ok()) return max_fds.error();
  stats.max_fds = *max_fds;

  auto open_fds = CountOpenFds(dir + "/fd", layout.pid == "self");
  if (!open_fds.ok()) return open_fds.error();
  stats.open_fds = *open_fds;
  return stats;
}

}  // namespace kubeheal
