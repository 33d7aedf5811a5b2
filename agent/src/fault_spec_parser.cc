#include "kubeheal/agent/fault_spec_parser.h"

#include <nlohmann/json.hpp>

#include "kubeheal/agent/json_field_reader.h"

namespace kubeheal::agent {
namespace {

constexpr double kMaxTtlSeconds = 86400;
constexpr std::int64_t kMaxDelayMs = 600000;

bool isTokenChar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  switch (c) {
    case '!':
    case '#':
    case '$':
    case '%':
    case '&':
    case '\'':
    case '*':
    case '+':
    case '-':
    case '.':
    case '^':
    case '_':
    case '`':
    case '|':
    case '~':
      return true;
    default:
      return false;
  }
}

bool isToken(const std::string& text) {
  if (text.empty()) return false;
  for (char c : text) {
    if (!isTokenChar(c)) return false;
  }
  return true;
}

bool isValidId(const std::string& id) {
  if (id.empty() || id.size() > 63) return false;
  for (char c : id) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

void parseMatch(JsonFieldReader& top, const nlohmann::json& object, MatchRule& match) {
  JsonFieldReader reader(object, "match");
  if (auto method = reader.string("method", false, 32)) {
    if (!isToken(*method)) reader.fail("method", "must be an HTTP method token such as GET");
    match.method = *method;
  }
  if (auto prefix = reader.string("pathPrefix", false, 1024)) {
    if (prefix->empty() || (*prefix)[0] != '/') reader.fail("pathPrefix", "must start with '/'");
    match.pathPrefix = *prefix;
  }
  if (const nlohmann::json* header = reader.object("header", false)) {
    JsonFieldReader headerReader(*header, "match.header");
    HeaderMatch headerMatch;
    if (auto name = headerReader.string("name", true, 256)) {
      if (!isToken(*name)) headerReader.fail("name", "must be an HTTP header name");
      headerMatch.name = *name;
    }
    headerMatch.value = headerReader.string("value", false, 4096);
    reader.adopt(headerReader.finish());
    match.header = headerMatch;
  }
  top.adopt(reader.finish());
}

void parseParams(JsonFieldReader& top, const nlohmann::json& object, FaultType type,
                 FaultParams& params) {
  JsonFieldReader reader(object, "params");
  switch (type) {
    case FaultType::kLatency:
      params.delayMs = reader.integer("delayMs", true, 0, kMaxDelayMs).value_or(0);
      params.jitterMs = reader.integer("jitterMs", false, 0, kMaxDelayMs).value_or(0);
      break;
    case FaultType::kHttpError:
      params.status = static_cast<int>(reader.integer("status", true, 400, 599).value_or(500));
      params.body = reader.string("body", false, FaultSpecParser::kMaxBodyChars)
                        .value_or("kubeheal-agent: injected fault\n");
      break;
    case FaultType::kAbort:
    case FaultType::kHang:
    case FaultType::kTrafficDrop:
      break;
    case FaultType::kCpuBurn:
      params.threads = static_cast<int>(reader.integer("threads", false, 1, 64).value_or(1));
      params.dutyPercent =
          static_cast<int>(reader.integer("dutyPercent", false, 1, 100).value_or(100));
      break;
    case FaultType::kMemoryLeak:
      params.mbPerSecond = reader.number("mbPerSecond", true, 0, 1024, true).value_or(0);
      params.capMb = reader.integer("capMb", true, 1, 16384).value_or(0);
      break;
    case FaultType::kCrash:
      params.exitCode = static_cast<int>(reader.integer("exitCode", false, 0, 255).value_or(1));
      params.crashDelayMs = reader.integer("delayMs", false, 0, kMaxDelayMs).value_or(100);
      break;
  }
  top.adopt(reader.finish());
}

}  // namespace

Result<FaultSpec> FaultSpecParser::parse(std::string_view json) {
  const nlohmann::json document = nlohmann::json::parse(json, nullptr, false);
  if (document.is_discarded()) return Error::Invalid("body is not valid JSON");
  if (!document.is_object()) return Error::Invalid("body must be a JSON object");

  FaultSpec spec;
  JsonFieldReader reader(document, "");
  if (auto id = reader.string("id", false, 63)) {
    if (!isValidId(*id)) reader.fail("id", "must match [A-Za-z0-9._-]{1,63}");
    spec.id = *id;
  }
  std::optional<FaultType> type;
  if (auto typeName = reader.string("type", true, 32)) {
    type = parseFaultType(*typeName);
    if (!type) {
      reader.fail("type",
                  "must be one of latency, httpError, abort, hang, trafficDrop, cpuBurn, "
                  "memoryLeak, crash");
    }
  }
  spec.ttlSeconds = reader.number("ttlSeconds", true, 0, kMaxTtlSeconds, true).value_or(0);
  if (!type) {
    reader.has("percent");
    reader.has("match");
    reader.has("params");
    if (auto error = reader.finish()) return *error;
    return Error::InvalidField("type", "is required");
  }
  spec.type = *type;

  if (isDataPathFault(*type)) {
    spec.percent = reader.number("percent", false, 0, 100, true).value_or(100);
  } else {
    reader.forbid("percent", "is not allowed for process faults");
  }
  if (isRequestFault(*type)) {
    if (const nlohmann::json* match = reader.object("match", false)) {
      parseMatch(reader, *match, spec.match);
    }
  } else {
    reader.forbid("match", std::string("is not allowed for ") + std::string(faultTypeName(*type)));
  }
  static const nlohmann::json kEmpty = nlohmann::json::object();
  const nlohmann::json* params = reader.object("params", false);
  parseParams(reader, params ? *params : kEmpty, *type, spec.params);
  if (auto error = reader.finish()) return *error;
  return spec;
}

}  // namespace kubeheal::agent
