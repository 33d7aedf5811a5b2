#include "kubeheal/sample_http/log.h"

#include <chrono>
#include <cstdio>
#include <ctime>

namespace kubeheal::samples {

void LogLine(const std::string& level, const std::string& service, const std::string& message) {
  // Wall time is for humans reading logs only; nothing decides on it.
  std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm utc{};
  gmtime_r(&now, &utc);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &utc);
  std::string line =
      std::string(stamp) + " level=" + level + " service=" + service + " msg=\"" + message + "\"\n";
  std::fwrite(line.data(), 1, line.size(), stderr);
}

}  // namespace kubeheal::samples
