#include "kubeheal/agent/admin_api.h"

#include "kubeheal/agent/agent_json.h"
#include "kubeheal/agent/fault_spec_parser.h"
#include "kubeheal/common/error.h"

namespace kubeheal::agent {
namespace {

AdminResponse json(int status, const nlohmann::json& body) {
  AdminResponse response;
  response.status = status;
  response.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  return response;
}

AdminResponse text(int status, std::string body) {
  AdminResponse response;
  response.status = status;
  response.contentType = "text/plain; charset=utf-8";
  response.body = std::move(body);
  return response;
}

AdminResponse invalid(const Error& error) {
  const std::string_view field = error.field;
  if (field.empty()) return json(400, AgentJson::error("invalid_json", error.message));
  return json(400, AgentJson::error("invalid_field", error.message, field));
}

AdminResponse notAllowed(const std::string& allow) {
  AdminResponse response =
      json(405, AgentJson::error("method_not_allowed", "allowed methods: " + allow));
  response.headers.emplace_back("Allow", allow);
  return response;
}

}  // namespace

AdminApi::AdminApi(FaultRegistry& faults, CircuitBreaker& circuit, Throttle& throttle,
                   MetricsExporter& exporter, TokenVerifier& tokens, const Clock& time,
                   const AgentInfo& info)
    : faults_(faults),
      circuit_(circuit),
      throttle_(throttle),
      exporter_(exporter),
      tokens_(tokens),
      time_(time),
      info_(info),
      startedAt_(time.Now()) {}

AdminResponse AdminApi::handle(const AdminRequest& request) {
  std::string path = request.target.substr(0, request.target.find('?'));
  if (path == "/healthz" || path == "/readyz" || path == "/metrics") {
    if (request.method != "GET" && request.method != "HEAD") return notAllowed("GET, HEAD");
    if (path == "/healthz") return text(200, "ok\n");
    if (path == "/readyz") {
      if (info_.draining.load()) return text(503, "draining\n");
      if (!info_.ready.load()) return text(503, "starting\n");
      return text(200, "ready\n");
    }
    AdminResponse metrics = text(200, exporter_.render());
    metrics.contentType = "text/plain; version=0.0.4; charset=utf-8";
    return metrics;
  }
  if (path.rfind("/v1/", 0) != 0) {
    return json(404, AgentJson::error("not_found", "no such endpoint: " + path));
  }
  const TokenVerifier::Verdict verdict = tokens_.verify(request.authorization);
  if (!verdict.ok) {
    AdminResponse response = json(401, AgentJson::error("unauthorized", verdict.reason));
    response.headers.emplace_back("WWW-Authenticate", "Bearer");
    return response;
  }
  if (request.body.size() > kMaxBodyBytes) {
    return json(413, AgentJson::error("body_too_large", "the body exceeds 64 KiB"));
  }
  return route(request, path);
}

AdminResponse AdminApi::route(const AdminRequest& request, const std::string& path) {
  const std::string& method = request.method;
  if (path == "/v1/state") {
    return method == "GET" ? state() : notAllowed("GET");
  }
  if (path == "/v1/faults") {
    if (method == "GET") return listFaults();
    if (method == "POST") return postFault(request.body);
    if (method == "DELETE") return json(200, {{"cleared", faults_.clearAll()}});
    return notAllowed("GET, POST, DELETE");
  }
  constexpr std::string_view kFaultPrefix = "/v1/faults/";
  if (path.rfind(kFaultPrefix, 0) == 0 && path.size() > kFaultPrefix.size()) {
    if (method != "DELETE") return notAllowed("DELETE");
    return deleteFault(path.substr(kFaultPrefix.size()));
  }
  if (path == "/v1/circuit") {
    if (method == "GET") return circuitStatus();
    if (method == "PUT") return putCircuit(request.body);
    return notAllowed("GET, PUT");
  }
  if (path == "/v1/throttle") {
    if (method == "GET") return throttleStatus();
    if (method == "PUT") return putThrottle(request.body);
    if (method == "DELETE") {
      throttle_.disable();
      return throttleStatus();
    }
    return notAllowed("GET, PUT, DELETE");
  }
  return json(404, AgentJson::error("not_found", "no such endpoint: " + path));
}

AdminResponse AdminApi::state() {
  nlohmann::json faults = nlohmann::json::array();
  for (const auto& fault : faults_.list()) faults.push_back(AgentJson::fault(*fault, time_));
  return json(200, {{"version", info_.version},
                    {"startedAt", AgentJson::timestamp(startedAt_)},
                    {"now", AgentJson::timestamp(time_.Now())},
                    {"draining", info_.draining.load()},
                    {"upstream", info_.upstream},
                    {"faults", faults},
                    {"circuit", AgentJson::circuit(circuit_.status(), time_)},
                    {"throttle", AgentJson::throttle(throttle_.status(), time_)}});
}

AdminResponse AdminApi::listFaults() {
  nlohmann::json faults = nlohmann::json::array();
  for (const auto& fault : faults_.list()) faults.push_back(AgentJson::fault(*fault, time_));
  return json(200, {{"faults", faults}});
}

AdminResponse AdminApi::postFault(const std::string& body) {
  auto parsed = FaultSpecParser::parse(body);
  if (!parsed) return invalid(parsed.error());
  const auto upserted = faults_.upsert(std::move(parsed).value());
  if (!upserted) return invalid(upserted.error());
  return json(upserted->created ? 201 : 200, AgentJson::fault(*upserted->fault, time_));
}

AdminResponse AdminApi::deleteFault(const std::string& id) {
  if (!faults_.clear(id)) {
    return json(404, AgentJson::error("not_found", "no active fault with id " + id));
  }
  return json(200, {{"cleared", 1}});
}

AdminResponse AdminApi::circuitStatus() {
  return json(200, AgentJson::circuit(circuit_.status(), time_));
}

AdminResponse AdminApi::putCircuit(const std::string& body) {
  const auto parsed = AgentJson::parseCircuit(body);
  if (!parsed) return invalid(parsed.error());
  circuit_.configure(*parsed);
  return circuitStatus();
}

AdminResponse AdminApi::throttleStatus() {
  return json(200, AgentJson::throttle(throttle_.status(), time_));
}

AdminResponse AdminApi::putThrottle(const std::string& body) {
  const auto parsed = AgentJson::parseThrottle(body);
  if (!parsed) return invalid(parsed.error());
  throttle_.enable(parsed->rps, parsed->burst, parsed->ttlSeconds);
  return throttleStatus();
}

}  // namespace kubeheal::agent
