#include "kubeheal/controllers/agent_targets.h"

namespace kubeheal::controllers {

AgentTargets::AgentTargets(std::shared_ptr<KubeOperations> kube, AgentSettings settings)
    : kube_(std::move(kube)), settings_(std::move(settings)) {}

std::vector<Json> AgentTargets::ReachablePods(const std::vector<Json>& pods) {
  std::vector<Json> out;
  for (const auto& pod : pods) {
    const auto& status = pod.value("status", Json::object());
    const std::string ip = status.value("podIP", "");
    const std::string phase = status.value("phase", "");
    if (ip.empty() || phase == "Succeeded" || phase == "Failed") continue;
    if (pod["metadata"].contains("deletionTimestamp")) continue;
    out.push_back(pod);
  }
  return out;
}

Result<std::string> AgentTargets::Token(const std::string& ns) {
  auto token = kube_->GetSecretValue(ns, settings_.secret_name, settings_.secret_key);
  if (token.ok()) {
    std::string t = *token;
    while (!t.empty() && std::isspace(static_cast<unsigned char>(t.back()))) t.pop_back();
    return t;
  }
  if (token.error().http_status == 404 || token.error().http_status == 403) {
    if (!settings_.fallback_token.empty()) return settings_.fallback_token;
    return Error::Terminal("NoAgentToken", "no agent token: secret " + ns + "/" +
                                               settings_.secret_name + " not readable (" +
                                               token.error().message +
                                               ") and no --agent-token-file given");
  }
  return token.error();
}

AgentTarget AgentTargets::TargetFor(const Json& pod, const std::string& token) const {
  AgentTarget t;
  t.pod = pod["metadata"].value("name", "");
  t.ip = pod["status"].value("podIP", "");
  int port = settings_.default_admin_port;
  const auto& annotations = pod["metadata"].value("annotations", Json::object());
  if (annotations.contains(kAgentAdminPortAnnotation)) {
    try {
      port = std::stoi(annotations[kAgentAdminPortAnnotation].get<std::string>());
    } catch (const std::exception&) {
      // a malformed annotation falls back to the default port
    }
  }
  t.endpoint = agentclient::AgentEndpoint{t.ip, port, token};
  return t;
}

Result<std::vector<AgentTarget>> AgentTargets::Resolve(const std::string& ns,
                                                       const std::vector<Json>& pods) {
  auto token = Token(ns);
  if (!token.ok()) return token.error();
  std::vector<AgentTarget> out;
  for (const auto& pod : ReachablePods(pods)) out.push_back(TargetFor(pod, *token));
  return out;
}

}  // namespace kubeheal::controllers
