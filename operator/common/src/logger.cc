#include "kubeheal/common/logger.h"

#include <cstdio>
#include <string>

#include "kubeheal/common/clock.h"
#include "kubeheal/common/enum_names.h"

namespace kubeheal {
namespace {

constexpr EnumNameTable<LogLevel, 4> kLevelNames{{{LogLevel::kDebug, "debug"},
                                                  {LogLevel::kInfo, "info"},
                                                  {LogLevel::kWarn, "warn"},
                                                  {LogLevel::kError, "error"}}};
constexpr EnumNameTable<LogFormat, 2> kFormatNames{
    {{LogFormat::kText, "text"}, {LogFormat::kJson, "json"}}};

std::string_view LevelName(LogLevel level) { return NameOf(kLevelNames, level, "info"); }

// Writes the parsed value to `out`; false (and `out` untouched) for a name the table lacks.
template <typename E, std::size_t N>
bool ParseInto(const EnumNameTable<E, N>& table, std::string_view s, E* out) {
  const std::optional<E> value = ParseName(table, s);
  if (value) *out = *value;
  return value.has_value();
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
    std::string name(LevelName(level));
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
  return ParseInto(kLevelNames, s, out);
}

bool Logger::ParseFormat(std::string_view s, LogFormat* out) {
  return ParseInto(kFormatNames, s, out);
}

}  // namespace kubeheal
