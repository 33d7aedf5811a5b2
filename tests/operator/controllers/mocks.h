#pragma once

#include <gmock/gmock.h>

#include "kubeheal/agentclient/agent_client.h"
#include "kubeheal/controllers/alert_sender.h"
#include "kubeheal/controllers/kube_operations.h"

namespace kubeheal::controllers {

class MockAgentClient : public agentclient::AgentClient {
 public:
  MOCK_METHOD(Result<nlohmann::json>, PushFault,
              (const agentclient::AgentEndpoint&, const agentclient::AgentFault&), (override));
  MOCK_METHOD(Status, ClearFault, (const agentclient::AgentEndpoint&, const std::string&),
              (override));
  MOCK_METHOD(Status, SetCircuit,
              (const agentclient::AgentEndpoint&, const agentclient::CircuitCommand&), (override));
  MOCK_METHOD(Status, SetThrottle,
              (const agentclient::AgentEndpoint&, const agentclient::ThrottleCommand&), (override));
  MOCK_METHOD(Status, ClearThrottle, (const agentclient::AgentEndpoint&), (override));
  MOCK_METHOD(Result<nlohmann::json>, GetState, (const agentclient::AgentEndpoint&), (override));
};

class MockAlertSender : public AlertSender {
 public:
  MOCK_METHOD(Status, Send, (const std::string&, const nlohmann::json&), (override));
};

// A running pod with an IP, as the API server returns it.
inline Json RunningPod(const std::string& name, const std::string& ip, int admin_port = 0) {
  Json pod = {
      {"metadata", {{"name", name}, {"namespace", "shop"}, {"labels", {{"app", "orders"}}}}},
      {"status",
       {{"phase", "Running"},
        {"podIP", ip},
        {"conditions", {{{"type", "Ready"}, {"status", "True"}}}}}}};
  if (admin_port > 0) {
    pod["metadata"]["annotations"] = {{"kubeheal.io/agent-admin-port", std::to_string(admin_port)}};
  }
  return pod;
}

}  // namespace kubeheal::controllers
