#include "kubeheal/controllers/agent_targets.h"

#include <cctype>

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
  const std::string secret = ns + "/" + settings_.secret_name;
  auto token = kube_->GetSecretValue(ns, settings_.secret_name, settings_.secret_key);
  if (token.ok()) {
    std::string t = *token;
    while (!t.empty() && std::isspace(static_cast<unsigned char>(t.back()))) t.pop_back();
    if (!t.empty()) return t;
    return Error::Terminal(kNoAgentToken, "no agent token for namespace " + ns + ": key \"" +
                                              settings_.secret_key + "\" of Secret " + secret +
                                              " is empty");
  }
  const int http = token.error().http_status;
  if (http != 404 && http != 403) return token.error();
  // The fallback is the release's own token: handing it to another namespace's pods would give
  // every tenant who can run a pod the key to all agents.
  if (!settings_.release_namespace.empty() && ns == settings_.release_namespace &&
      !settings_.fallback_token.empty()) {
    return settings_.fallback_token;
  }
  const std::string why =
      http == 403 ? "the operator may not read Secret " + secret + " (forbidden); grant it get"
                  : "create Secret " + secret + " with key \"" + settings_.secret_key +
                        "\" holding the token of this namespace's agents";
  return Error::Terminal(kNoAgentToken,
                         "no agent token for namespace " + ns + ": " + why +
                             (settings_.release_namespace.empty()
                                  ? std::string()
                                  : " (the operator's own token serves only namespace " +
                                        settings_.release_namespace + ")"));
}

std::optional<AgentTarget> AgentTargets::TargetFor(const std::string& ns, const Json& pod,
                                                   const std::string& token) const {
  const auto& metadata = pod.value("metadata", Json::object());
  if (metadata.value("namespace", "") != ns) return std::nullopt;
  AgentTarget t;
  t.pod = metadata.value("name", "");
  t.ip = pod.value("status", Json::object()).value("podIP", "");
  int port = settings_.default_admin_port;
  const auto& annotations = metadata.value("annotations", Json::object());
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
  for (const auto& pod : ReachablePods(pods)) {
    // Pods of another namespace never get this namespace's token.
    if (auto target = TargetFor(ns, pod, *token)) out.push_back(std::move(*target));
  }
  return out;
}

}  // namespace kubeheal::controllers
