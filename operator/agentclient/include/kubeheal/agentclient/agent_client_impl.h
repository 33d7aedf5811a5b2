#pragma once

#include <chrono>
#include <memory>

#include "kubeheal/agentclient/agent_client.h"

namespace kubeheal::agentclient {

// AgentClient over plain HTTP/1.1 with cpprestsdk. Each call is synchronous and bounded by
// `timeout`; calls from several threads are independent.
class AgentClientImpl final : public AgentClient {
 public:
  explicit AgentClientImpl(std::chrono::milliseconds timeout = std::chrono::seconds(5));

  Result<nlohmann::json> PushFault(const AgentEndpoint& agent, const AgentFault& fault) override;
  Status ClearFault(const AgentEndpoint& agent, const std::string& id) override;
  Status SetCircuit(const AgentEndpoint& agent, const CircuitCommand& command) override;
  Status SetThrottle(const AgentEndpoint& agent, const ThrottleCommand& command) override;
  Status ClearThrottle(const AgentEndpoint& agent) override;
  Result<nlohmann::json> GetState(const AgentEndpoint& agent) override;

 private:
  struct Reply {
    int status = 0;
    nlohmann::json body;
  };
  Result<Reply> Call(const AgentEndpoint& agent, const std::string& method, const std::string& path,
                     const nlohmann::json* body);
  std::chrono::milliseconds timeout_;
};

}  // namespace kubeheal::agentclient
