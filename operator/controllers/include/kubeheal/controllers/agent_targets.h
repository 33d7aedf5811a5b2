#pragma once

#include <memory>
#include <string>
#include <vector>

#include "kubeheal/agentclient/agent_client.h"
#include "kubeheal/controllers/kube_operations.h"

namespace kubeheal::controllers {

struct AgentSettings {
  int default_admin_port = 9901;
  // Token from --agent-token-file, used when the namespace has no agent Secret.
  std::string fallback_token;
  std::string secret_name = "kubeheal-agent-token";
  std::string secret_key = "token";
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

// Turns pods into agent endpoints: pod IP from status.podIP, port from the annotation or the
// default, bearer token from the namespace's Secret (or the fallback). Stateless besides its
// settings; thread-safe.
class AgentTargets {
 public:
  AgentTargets(std::shared_ptr<KubeOperations> kube, AgentSettings settings);

  // Running pods with an IP that are not being deleted.
  static std::vector<Json> ReachablePods(const std::vector<Json>& pods);
  Result<std::string> Token(const std::string& ns);
  Result<std::vector<AgentTarget>> Resolve(const std::string& ns, const std::vector<Json>& pods);
  AgentTarget TargetFor(const Json& pod, const std::string& token) const;

 private:
  std::shared_ptr<KubeOperations> kube_;
  AgentSettings settings_;
};

}  // namespace kubeheal::controllers
