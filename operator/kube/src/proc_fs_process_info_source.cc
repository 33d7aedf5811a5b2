#include "kubeheal/kube/proc_fs_process_info_source.h"

#include <dirent.h>
#include <unistd.h>

#include <charconv>
#include <fstream>
#include <sstream>
#include <vector>

namespace kubeheal::kube {
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

}  // namespace

ProcFsProcessInfoSource::ProcFsProcessInfoSource(ProcFsLayout layout) : layout_(std::move(layout)) {
  if (layout_.clock_ticks_per_second <= 0) {
    layout_.clock_ticks_per_second = static_cast<double>(sysconf(_SC_CLK_TCK));
  }
  if (layout_.page_size_bytes <= 0) {
    layout_.page_size_bytes = static_cast<double>(sysconf(_SC_PAGESIZE));
  }
}

Result<ProcessInfo> ProcFsProcessInfoSource::Read() const {
  const std::string dir = layout_.proc_root + "/" + layout_.pid;
  ProcessInfo info;

  const std::string stat_path = dir + "/stat";
  auto stat = ReadFile(stat_path);
  if (!stat.ok()) return stat.error();
  auto fields = StatFields(stat_path, *stat);
  if (!fields.ok()) return fields.error();
  // Index = proc(5) field number - 3: utime 14, stime 15, starttime 22, vsize 23, rss 24.
  if (fields->size() < 22) {
    return Malformed(stat_path,
                     "expected at least 24 fields, got " + std::to_string(fields->size() + 2));
  }
  const auto utime = ToNumber((*fields)[11]);
  const auto stime = ToNumber((*fields)[12]);
  const auto start_ticks = ToNumber((*fields)[19]);
  const auto vsize = ToNumber((*fields)[20]);
  const auto rss_pages = ToNumber((*fields)[21]);
  if (!utime || !stime || !start_ticks || !vsize || !rss_pages) {
    return Malformed(stat_path, "utime, stime, starttime, vsize or rss is not a number");
  }
  const double ticks = layout_.clock_ticks_per_second;
  info.cpu_seconds = (*utime + *stime) / ticks;
  info.virtual_bytes = *vsize;
  info.resident_bytes = *rss_pages * layout_.page_size_bytes;

  const std::string boot_path = layout_.proc_root + "/stat";
  auto boot = ReadFile(boot_path);
  if (!boot.ok()) return boot.error();
  std::optional<double> btime;
  {
    std::istringstream lines(*boot);
    std::string line;
    while (std::getline(lines, line)) {
      if (line.rfind("btime ", 0) == 0) btime = ToNumber(line.substr(6));
    }
  }
  if (!btime) return Malformed(boot_path, "no numeric \"btime\" line");
  info.start_time_seconds = *btime + *start_ticks / ticks;

  const std::string limits_path = dir + "/limits";
  auto limits = ReadFile(limits_path);
  if (!limits.ok()) return limits.error();
  {
    std::istringstream lines(*limits);
    std::string line;
    bool found = false;
    while (std::getline(lines, line)) {
      if (line.rfind("Max open files", 0) != 0) continue;
      found = true;
      std::istringstream values(line.substr(std::string("Max open files").size()));
      std::string soft;
      values >> soft;
      if (soft != "unlimited") {
        info.max_fds = ToNumber(soft);
        if (!info.max_fds) return Malformed(limits_path, "Max open files: \"" + soft + "\"");
      }
    }
    if (!found) return Malformed(limits_path, "no \"Max open files\" line");
  }

  const std::string fd_path = dir + "/fd";
  DIR* fds = opendir(fd_path.c_str());
  if (fds == nullptr) return Error::Retryable("ProcUnreadable", fd_path + ": cannot list");
  // Listing /proc/self/fd opens a descriptor of its own, which must not be counted.
  const std::string own = std::to_string(dirfd(fds));
  const bool self = layout_.pid == "self";
  double count = 0;
  // readdir is unsafe only on a DIR* shared between threads; this one is ours alone.
  // NOLINTNEXTLINE(concurrency-mt-unsafe)
  while (const dirent* entry = readdir(fds)) {
    const std::string name = entry->d_name;
    if (name == "." || name == ".." || (self && name == own)) continue;
    ++count;
  }
  closedir(fds);
  info.open_fds = count;
  return info;
}

}  // namespace kubeheal::kube
