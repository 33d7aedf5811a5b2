#include "kubeheal/common/logger.h"

#include <cstdio>
#include <string>

#include "kubeheal/common/clock.h"

namespace kubeheal {
namespace {

const char* LevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarn:
      return "warn";
    case LogLevel::kError:
      return "error";
  }
  return "info";
}

std::string TextValue(const nlohmann::json& v) {
  if (v.is_string()) {
    const auto& s = v.get_ref<const std::string&>();
    return s.find_first_of(" \t\"=") == std::string::npos && !s.empty() ? s : v.dump();
  }
  return v.dump();
}

}  // namespace

Logger& Logger::Get() {
  static Logger logger;
  return logger;
}

void Logger::Configure(LogLevel level, LogFormat format) {
  std::lock_guard lock(mu_);
  level_ = level;
  format_ = format;
}

void Logger::Log(LogLevel level, std::string_view msg, const nlohmann::json& fields) {
  if (!Enabled(level)) return;
  const std::string ts = FormatRfc3339(RealClock()->Now());
  std::string line;
  std::lock_guard lock(mu_);
  if (format_ == LogFormat::kJson) {
    nlohmann::json j = {{"ts", ts}, {"level", LevelName(level)}, {"msg", msg}};
    if (fields.is_object()) {
      for (const auto& [k, v] : fields.items()) j[k] = v;
    }
    line = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  } else {
    std::string name = LevelName(level);
    for (auto& c : name) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    line = ts + " " + name + " " + std::string(msg);
    if (fields.is_object()) {
      for (const auto& [k, v] : fields.items()) line += " " + k + "=" + TextValue(v);
    }
  }
  line += '\n';
  std::fwrite(line.data(), 1, line.size(), stderr);
}

bool Logger::ParseLevel(std::string_view s, LogLevel* out) {
  if (s == "debug")
    *out = LogLevel::kDebug;
  else if (s == "info")
    *out = LogLevel::kInfo;
  else if (s == "warn")
    *out = LogLevel::kWarn;
  else if (s == "error")
    *out = LogLevel::kError;
  else
    return false;
  return true;
}

bool Logger::ParseFormat(std::string_view s, LogFormat* out) {
  if (s == "text")
    *out = LogFormat::kText;
  else if (s == "json")
    *out = LogFormat::kJson;
  else
    return false;
  return true;
}

}  // namespace kubeheal
