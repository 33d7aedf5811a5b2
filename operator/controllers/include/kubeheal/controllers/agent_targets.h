#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "kubeheal/agentclient/agent_client.h"
#include "kubeheal/controllers/kube_operations.h"

namespace kubeheal::controllers {

struct AgentSettings {
  int default_admin_port = 9901;
  // Token from --agent-token-file. Used only for pods of `release_namespace`, and only when that
  // namespace has no readable agent Secret: it is the release's own token, never a tenant's.
  std::string fallback_token;
  std::string secret_name = "kubeheal-agent-token";
  std::string secret_key = "token";
  // The operator's own namespace (--release-namespace); empty: the fallback is never used.
  std::string release_namespace;
};

// A pod whose agent can be reached.
struct AgentTarget {
  std::string pod;
  std::string ip;
  agentclient::AgentEndpoint endpoint;
};

// Per-pod override of the agent admin port, for pods whose agents do not listen on the
// default port (tests on loopback run several agents on one address).
inline constexpr const char* kAgentAdminPortAnnotation = "kubeheal.io/agent-admin-port";

// Error code of Token() when a namespace has no agent token the operator may use.
inline constexpr const char* kNoAgentToken = "NoAgentToken";

// Turns pods into agent endpoints: pod IP from status.podIP, port from the annotation or the
// default, bearer token from the Secret of the pod's own namespace. Tokens are per namespace:
// a namespace's token is only ever attached to pods of that namespace, and the fallback token
// only to pods of the release namespace. Stateless besides its settings; thread-safe.
class AgentTargets {
 public:
  AgentTargets(std::shared_ptr<KubeOperations> kube, AgentSettings settings);

  // Running pods with an IP that are not being deleted.
  static std::vector<Json> ReachablePods(const std::vector<Json>& pods);
  // The agent token of namespace `ns`: its Secret, else (release namespace only) the fallback.
  // A namespace without a readable Secret is a terminal kNoAgentToken error that names the
  // Secret to create.
  Result<std::string> Token(const std::string& ns);
  // The reachable pods of `pods` that belong to `ns`, each with the token of `ns`.
  Result<std::vector<AgentTarget>> Resolve(const std::string& ns, const std::vector<Json>& pods);
  // `pod` with the token of `ns`; nothing when the pod is not in namespace `ns`.
  std::optional<AgentTarget> TargetFor(const std::string& ns, const Json& pod,
                                       const std::string& token) const;

 private:
  std::shared_ptr<KubeOperations> kube_;
  AgentSettings settings_;
};

}  // namespace kubeheal::controllers
