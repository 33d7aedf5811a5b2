#include "kubeheal/agent/agent_json.h"

#include <cmath>
#include <ctime>

#include "kubeheal/agent/json_field_reader.h"

namespace kubeheal::agent {
namespace {

constexpr double kMaxTtlSeconds = 86400;

double roundMillis(double seconds) { return std::round(seconds * 1000.0) / 1000.0; }

Result<nlohmann::json> parseObject(std::string_view body) {
  nlohmann::json document = nlohmann::json::parse(body, nullptr, false);
  if (document.is_discarded()) return Error::Invalid("body is not valid JSON");
  if (!document.is_object()) return Error::Invalid("body must be a JSON object");
  return document;
}

}  // namespace

std::string AgentJson::timestamp(std::chrono::system_clock::time_point t) {
  const auto millis =
      std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
  const std::time_t seconds = static_cast<std::time_t>(millis / 1000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[40];
  std::snprintf(text, sizeof(text), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", utc.tm_year + 1900,
                utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec,
                static_cast<int>(millis % 1000));
  return text;
}

nlohmann::json AgentJson::wallTime(std::chrono::steady_clock::time_point t, const Clock& time) {
  const auto offset = t - time.SteadyNow();
  return timestamp(time.Now() +
                   std::chrono::duration_cast<std::chrono::system_clock::duration>(offset));
}

nlohmann::json AgentJson::fault(const ActiveFault& fault, const Clock& time) {
  const FaultSpec& spec = fault.spec;
  const FaultParams& p = spec.params;
  nlohmann::json json = nlohmann::json::object();
  json["id"] = spec.id;
  json["type"] = faultTypeName(spec.type);
  if (isDataPathFault(spec.type)) json["percent"] = spec.percent;
  if (isRequestFault(spec.type) && !spec.match.empty()) {
    nlohmann::json match = nlohmann::json::object();
    if (spec.match.method) match["method"] = *spec.match.method;
    if (spec.match.pathPrefix) match["pathPrefix"] = *spec.match.pathPrefix;
    if (spec.match.header) {
      match["header"] = {{"name", spec.match.header->name}};
      if (spec.match.header->value) match["header"]["value"] = *spec.match.header->value;
    }
    json["match"] = match;
  }
  nlohmann::json params = nlohmann::json::object();
  switch (spec.type) {
    case FaultType::kLatency:
      params = {{"delayMs", p.delayMs}, {"jitterMs", p.jitterMs}};
      break;
    case FaultType::kHttpError:
      params = {{"status", p.status}, {"body", p.body}};
      break;
    case FaultType::kCpuBurn:
      params = {{"threads", p.threads}, {"dutyPercent", p.dutyPercent}};
      break;
    case FaultType::kMemoryLeak:
      params = {{"mbPerSecond", p.mbPerSecond}, {"capMb", p.capMb}};
      break;
    case FaultType::kCrash:
      params = {{"exitCode", p.exitCode}, {"delayMs", p.crashDelayMs}};
      break;
    default:
      break;
  }
  json["params"] = params;
  json["ttlSeconds"] = spec.ttlSeconds;
  json["createdAt"] = timestamp(fault.createdAtWall);
  json["expiresAt"] = timestamp(fault.expiresAtWall);
  const double remaining =
      std::chrono::duration<double>(fault.expiresAt - time.SteadyNow()).count();
  json["remainingSeconds"] = roundMillis(std::max(0.0, remaining));
  json["injected"] = fault.injected.load(std::memory_order_relaxed);
  return json;
}

nlohmann::json AgentJson::circuit(const CircuitBreaker::Status& status, const Clock& time) {
  const CircuitConfig& c = status.config;
  nlohmann::json json = {
      {"mode", circuitModeName(c.mode)},
      {"state", circuitStateName(status.state)},
      {"consecutive5xx", c.consecutive5xx},
      {"errorRatio", c.errorRatio},
      {"windowSeconds", c.windowSeconds},
      {"minRequests", c.minRequests},
      {"openSeconds", c.openSeconds},
      {"halfOpenProbes", c.halfOpenProbes},
      {"expiresAt", status.expiresAt ? wallTime(*status.expiresAt, time) : nlohmann::json()},
      {"openUntil", status.openUntil ? wallTime(*status.openUntil, time) : nlohmann::json()},
      {"stats",
       {{"consecutiveFailures", status.consecutiveFailures},
        {"windowRequests", status.windowRequests},
        {"windowFailures", status.windowFailures},
        {"trips", status.trips}}}};
  return json;
}

nlohmann::json AgentJson::throttle(const Throttle::Status& status, const Clock& time) {
  if (!status.enabled) {
    return {{"enabled", false},  {"rps", nullptr},       {"burst", nullptr},
            {"tokens", nullptr}, {"expiresAt", nullptr}, {"throttled", status.throttled}};
  }
  return {{"enabled", true},
          {"rps", status.rps},
          {"burst", static_cast<std::int64_t>(status.burst)},
          {"tokens", roundMillis(status.tokens)},
          {"expiresAt", status.expiresAt ? wallTime(*status.expiresAt, time) : nlohmann::json()},
          {"throttled", status.throttled}};
}

nlohmann::json AgentJson::error(std::string_view code, std::string_view message,
                                std::string_view field) {
  nlohmann::json json = {{"error", code}};
  if (!field.empty()) json["field"] = field;
  json["message"] = message;
  return json;
}

Result<CircuitConfig> AgentJson::parseCircuit(std::string_view body) {
  const Result<nlohmann::json> document = parseObject(body);
  if (!document) return document.error();
  JsonFieldReader reader(*document, "");
  CircuitConfig config;
  if (auto mode = reader.string("mode", true, 16)) {
    if (auto parsed = parseCircuitMode(*mode)) {
      config.mode = *parsed;
    } else {
      reader.fail("mode", "must be one of open, closed, auto");
    }
  }
  config.ttlSeconds = reader.number("ttlSeconds", false, 0, kMaxTtlSeconds, true);
  if (!reader.failed() && config.mode != CircuitMode::kAuto) {
    for (const char* name : {"consecutive5xx", "errorRatio", "windowSeconds", "minRequests",
                             "openSeconds", "halfOpenProbes"}) {
      reader.forbid(name, "is only allowed with mode auto");
    }
  } else {
    const CircuitConfig defaults;
    config.consecutive5xx = static_cast<std::uint32_t>(
        reader.integer("consecutive5xx", false, 0, 100000).value_or(defaults.consecutive5xx));
    config.errorRatio = reader.number("errorRatio", false, 0, 1).value_or(defaults.errorRatio);
    config.windowSeconds = static_cast<std::uint32_t>(
        reader.integer("windowSeconds", false, 1, 3600).value_or(defaults.windowSeconds));
    config.minRequests = static_cast<std::uint32_t>(
        reader.integer("minRequests", false, 1, 1000000).value_or(defaults.minRequests));
    config.openSeconds =
        reader.number("openSeconds", false, 0, 3600, true).value_or(defaults.openSeconds);
    config.halfOpenProbes = static_cast<std::uint32_t>(
        reader.integer("halfOpenProbes", false, 1, 1000).value_or(defaults.halfOpenProbes));
  }
  if (auto failure = reader.finish()) return *failure;
  return config;
}

Result<AgentJson::ThrottleRequest> AgentJson::parseThrottle(std::string_view body) {
  const Result<nlohmann::json> document = parseObject(body);
  if (!document) return document.error();
  JsonFieldReader reader(*document, "");
  ThrottleRequest request;
  request.rps = reader.number("rps", true, 0, 1000000, true).value_or(1);
  const auto burst = reader.integer("burst", false, 1, 1000000);
  request.burst = burst ? static_cast<double>(*burst) : std::max(1.0, std::ceil(request.rps));
  request.ttlSeconds = reader.number("ttlSeconds", false, 0, kMaxTtlSeconds, true);
  if (auto failure = reader.finish()) return *failure;
  return request;
}

}  // namespace kubeheal::agent
