#include "kubeheal/sample_http/process_metrics_collector.h"

#include <dirent.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

namespace kubeheal::samples {

namespace {

prometheus::MetricFamily Gauge(const std::string& name, const std::string& help, double value,
                               prometheus::MetricType type = prometheus::MetricType::Gauge) {
  prometheus::MetricFamily family;
  family.name = name;
  family.help = help;
  family.type = type;
  prometheus::ClientMetric metric;
  if (type == prometheus::MetricType::Counter) {
    metric.counter.value = value;
  } else {
    metric.gauge.value = value;
  }
  family.metric.push_back(metric);
  return family;
}

// Fields of /proc/<pid>/stat after the parenthesised command name (which may hold spaces).
std::vector<std::string> StatFields(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  size_t close = line.rfind(')');
  std::vector<std::string> fields;
  if (close == std::string::npos) return fields;
  std::istringstream rest(line.substr(close + 2));
  std::string field;
  while (rest >> field) fields.push_back(field);
  return fields;
}

double BootTimeSeconds() {
  std::ifstream in("/proc/stat");
  std::string key;
  double value = 0;
  while (in >> key) {
    if (key == "btime") {
      in >> value;
      return value;
    }
    in.ignore(1 << 16, '\n');
  }
  return 0;
}

int CountOpenFds(const std::string& dir) {
  DIR* d = opendir(dir.c_str());
  if (!d) return 0;
  int count = 0;
  while (dirent* entry = readdir(d)) {
    if (entry->d_name[0] != '.') ++count;
  }
  closedir(d);
  return count - 1;  // the directory stream's own descriptor
}

}  // namespace

ProcessMetricsCollector::ProcessMetricsCollector(std::string proc_dir)
    : proc_dir_(std::move(proc_dir)) {}

std::vector<prometheus::MetricFamily> ProcessMetricsCollector::Collect() const {
  std::vector<prometheus::MetricFamily> out;
  // After ')' the fields start at "state" (field 3 of proc(5)); index = field - 3.
  std::vector<std::string> f = StatFields(proc_dir_ + "/stat");
  if (f.size() < 22) return out;
  const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  const double page = static_cast<double>(sysconf(_SC_PAGESIZE));
  double utime = std::stod(f[11]), stime = std::stod(f[12]);
  double threads = std::stod(f[17]), start_ticks = std::stod(f[19]);
  double vsize = std::stod(f[20]), rss_pages = std::stod(f[21]);
  out.push_back(Gauge("process_cpu_seconds_total",
                      "Total user and system CPU time spent in seconds.", (utime + stime) / ticks,
                      prometheus::MetricType::Counter));
  out.push_back(
      Gauge("process_resident_memory_bytes", "Resident memory size in bytes.", rss_pages * page));
  out.push_back(Gauge("process_virtual_memory_bytes", "Virtual memory size in bytes.", vsize));
  out.push_back(Gauge("process_threads", "Number of OS threads in the process.", threads));
  out.push_back(Gauge("process_open_fds", "Number of open file descriptors.",
                      CountOpenFds(proc_dir_ + "/fd")));
  out.push_back(Gauge("process_start_time_seconds",
                      "Start time of the process since unix epoch in seconds.",
                      BootTimeSeconds() + start_ticks / ticks));
  return out;
}

}  // namespace kubeheal::samples
