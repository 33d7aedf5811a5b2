#include "kubeheal/agentclient/agent_client_impl.h"

#include <cpprest/http_client.h>

#include "kubeheal/common/no_redirects.h"

namespace kubeheal::agentclient {
namespace {

using utility::conversions::to_string_t;
using utility::conversions::to_utf8string;

Error AgentFailure(const AgentEndpoint& agent, const std::string& what, int status,
                   const nlohmann::json& body) {
  std::string detail = body.is_object() ? body.value("message", body.dump()) : body.dump();
  if (body.is_object() && body.contains("field")) {
    detail = "field " + body.value("field", "") + ": " + detail;
  }
  const std::string msg =
      "agent " + agent.ToString() + " " + what + ": HTTP " + std::to_string(status) + " " + detail;
  if (status == 401) return Error::Terminal("Unauthorized", msg, status);
  if (status == 400 || status == 413) return Error::Terminal("InvalidRequest", msg, status);
  if (status == 404) return Error::Terminal("NotFound", msg, status);
  return Error::Retryable("AgentError", msg, status);
}

}  // namespace

nlohmann::json AgentFault::ToJson() const {
  nlohmann::json j = {{"type", type}, {"ttlSeconds", ttl_seconds}};
  if (!id.empty()) j["id"] = id;
  if (percent) j["percent"] = *percent;
  if (!match.is_null()) j["match"] = match;
  if (!params.is_null()) j["params"] = params;
  return j;
}

nlohmann::json CircuitCommand::ToJson() const {
  nlohmann::json j = {{"mode", mode}};
  if (ttl_seconds) j["ttlSeconds"] = *ttl_seconds;
  if (mode == "auto") {
    if (half_open_probes) j["halfOpenProbes"] = *half_open_probes;
    if (open_seconds) j["openSeconds"] = *open_seconds;
  }
  return j;
}

nlohmann::json ThrottleCommand::ToJson() const {
  nlohmann::json j = {{"rps", rps}};
  if (burst) j["burst"] = *burst;
  if (ttl_seconds) j["ttlSeconds"] = *ttl_seconds;
  return j;
}

AgentClientImpl::AgentClientImpl(std::chrono::milliseconds timeout) : timeout_(timeout) {}

Result<AgentClientImpl::Reply> AgentClientImpl::Call(const AgentEndpoint& agent,
                                                     const std::string& method,
                                                     const std::string& path,
                                                     const nlohmann::json* body) {
  try {
    web::http::client::http_client_config config = NoRedirectsConfig();
    config.set_timeout(timeout_);
    web::http::client::http_client client(to_string_t("http://" + agent.ToString()), config);
    web::http::http_request request(to_string_t(method));
    request.set_request_uri(to_string_t(path));
    request.headers().add(to_string_t("Authorization"), to_string_t("Bearer " + agent.token));
    if (body != nullptr) {
      request.set_body(body->dump(), "application/json");
    }
    auto response = client.request(request).get();
    if (auto refused =
            RedirectRefused(response, "agent " + agent.ToString() + " " + method + " " + path)) {
      return *refused;
    }
    const std::string text = response.extract_utf8string(true).get();
    Reply reply;
    reply.status = response.status_code();
    reply.body = nlohmann::json::parse(text, nullptr, false);
    if (reply.body.is_discarded()) reply.body = text;
    return reply;
  } catch (const std::exception& e) {
    return Error::Retryable("AgentUnreachable", "agent " + agent.ToString() + " " + method + " " +
                                                    path + ": " + e.what());
  }
}

Result<nlohmann::json> AgentClientImpl::PushFault(const AgentEndpoint& agent,
                                                  const AgentFault& fault) {
  const auto body = fault.ToJson();
  auto r = Call(agent, "POST", "/v1/faults", &body);
  if (!r.ok()) return r.error();
  if (r->status != 200 && r->status != 201) {
    return AgentFailure(agent, "push fault " + fault.type, r->status, r->body);
  }
  return r->body;
}

Status AgentClientImpl::ClearFault(const AgentEndpoint& agent, const std::string& id) {
  auto r = Call(agent, "DELETE", "/v1/faults/" + id, nullptr);
  if (!r.ok()) return r.error();
  if (r->status == 200 || r->status == 404) return Status::Ok();
  return AgentFailure(agent, "clear fault " + id, r->status, r->body);
}

Status AgentClientImpl::SetCircuit(const AgentEndpoint& agent, const CircuitCommand& command) {
  const auto body = command.ToJson();
  auto r = Call(agent, "PUT", "/v1/circuit", &body);
  if (!r.ok()) return r.error();
  if (r->status != 200)
    return AgentFailure(agent, "set circuit " + command.mode, r->status, r->body);
  return Status::Ok();
}

Status AgentClientImpl::SetThrottle(const AgentEndpoint& agent, const ThrottleCommand& command) {
  const auto body = command.ToJson();
  auto r = Call(agent, "PUT", "/v1/throttle", &body);
  if (!r.ok()) return r.error();
  if (r->status != 200) return AgentFailure(agent, "set throttle", r->status, r->body);
  return Status::Ok();
}

Status AgentClientImpl::ClearThrottle(const AgentEndpoint& agent) {
  auto r = Call(agent, "DELETE", "/v1/throttle", nullptr);
  if (!r.ok()) return r.error();
  if (r->status != 200) return AgentFailure(agent, "clear throttle", r->status, r->body);
  return Status::Ok();
}

Result<nlohmann::json> AgentClientImpl::GetState(const AgentEndpoint& agent) {
  auto r = Call(agent, "GET", "/v1/state", nullptr);
  if (!r.ok()) return r.error();
  if (r->status != 200) return AgentFailure(agent, "get state", r->status, r->body);
  return r->body;
}

}  // namespace kubeheal::agentclient
