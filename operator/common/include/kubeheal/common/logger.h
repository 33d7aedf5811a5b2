#pragma once

#include <mutex>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace kubeheal {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3 };
enum class LogFormat { kText, kJson };

// Structured logging to stderr: a message plus key/value fields.
//   text: 2026-11-22T08:00:00Z INFO reconciled policy=default/orders took_ms=12
//   json: {"ts":"...","level":"info","msg":"reconciled","policy":"default/orders","took_ms":12}
// Thread-safe; one line per call is written atomically.
class Logger {
 public:
  static Logger& Get();

  void Configure(LogLevel level, LogFormat format);
  bool Enabled(LogLevel level) const { return level >= level_; }
  void Log(LogLevel level, std::string_view msg, const nlohmann::json& fields = {});

  void Debug(std::string_view m, const nlohmann::json& f = {}) { Log(LogLevel::kDebug, m, f); }
  void Info(std::string_view m, const nlohmann::json& f = {}) { Log(LogLevel::kInfo, m, f); }
  void Warn(std::string_view m, const nlohmann::json& f = {}) { Log(LogLevel::kWarn, m, f); }
  void Error(std::string_view m, const nlohmann::json& f = {}) { Log(LogLevel::kError, m, f); }

  // Parses "debug|info|warn|error" and "text|json"; false on anything else.
  static bool ParseLevel(std::string_view s, LogLevel* out);
  static bool ParseFormat(std::string_view s, LogFormat* out);

 private:
  std::mutex mu_;
  LogLevel level_ = LogLevel::kInfo;
  LogFormat format_ = LogFormat::kText;
};

inline Logger& Log() { return Logger::Get(); }

}  // namespace kubeheal
