// Agent tokens are per namespace, against the real kube-apiserver and the real kubeheal-operator
// and kubeheal-agent binaries on loopback. Namespace A is the operator's release namespace (its
// token is the --agent-token-file, no Secret), namespace B has its own Secret, or none. Each
// namespace has a real agent reading its namespace's token, and B also a pod whose IP points at
// a RequestRecorder: what B's pods were sent is on record.
#include <iostream>
#include <random>

#include <gtest/gtest.h>

#include "kubeheal/agentclient/agent_client_impl.h"
#include "test_environment.h"

namespace kubeheal::itest {
namespace {

using namespace std::chrono_literals;

std::string RandomToken(std::mt19937_64& rng) {
  static const char kAlphabet[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  std::string t;
  for (int i = 0; i < 40; ++i) t.push_back(kAlphabet[rng() % (sizeof kAlphabet - 1)]);
  return t;
}

struct Agent {
  std::string ns;
  std::string ip;
  int admin_port = 0;
  std::unique_ptr<ChildProcess> process;
};

class AgentTokenIntegrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    operator_bin_ = Binary(KUBEHEAL_OPERATOR_BIN, "KUBEHEAL_OPERATOR_BIN");
    agent_bin_ = Binary(KUBEHEAL_AGENT_BIN, "KUBEHEAL_AGENT_BIN");
    if (!Executable(agent_bin_)) GTEST_SKIP() << "kubeheal-agent not built (agent component)";
    ASSERT_EQ(Kubectl("version --request-timeout=5s").code, 0)
        << "control plane unreachable at " << Kubeconfig();
    dir_ = TempDir("kubeheal-token-itest");
    std::random_device rd;
    std::mt19937_64 rng((static_cast<uint64_t>(rd()) << 32) ^ rd());
    const std::string suffix = std::to_string(rng() % 1000000);
    ns_a_ = "tok-a-" + suffix;
    ns_b_ = "tok-b-" + suffix;
    token_a_ = RandomToken(rng);
    token_b_ = RandomToken(rng);
    ASSERT_EQ(Kubectl(std::string("apply -f ") + KUBEHEAL_SOURCE_DIR + "/crds/").code, 0);
    ASSERT_TRUE(
        WaitFor([] { return Kubectl("get faultscenarios.kubeheal.io -A").code == 0; }, 30s));
    for (const auto& ns : {ns_a_, ns_b_}) {
      ASSERT_EQ(Kubectl("create namespace " + ns).code, 0);
      Kubectl("-n " + ns + " create serviceaccount default");  // no controller-manager here
    }
    WriteFile(dir_ + "/token-a", token_a_ + "\n");
    WriteFile(dir_ + "/token-b", token_b_ + "\n");
    agent_a_ = StartAgent(ns_a_, "127.0.0.30", dir_ + "/token-a");
    agent_b_ = StartAgent(ns_b_, "127.0.0.31", dir_ + "/token-b");
    CreatePod(ns_a_, "web-agent", agent_a_.ip, agent_a_.admin_port);
    CreatePod(ns_b_, "web-agent", agent_b_.ip, agent_b_.admin_port);
    CreatePod(ns_b_, "web-recorder", "127.0.0.1", recorder_b_.port());
  }

  void TearDown() override {
    if (operator_) operator_->Stop();
    for (const auto& ns : {ns_a_, ns_b_}) {
      if (!ns.empty()) DeleteTestNamespace(ns, {"drill"});
    }
    if (HasFailure() && !dir_.empty()) {
      std::cerr << "operator log (" << dir_ << "/operator.log):\n"
                << ReadFile(dir_ + "/operator.log").substr(0, 20000) << "\n";
    }
    agent_a_.process.reset();
    agent_b_.process.reset();
  }

  Agent StartAgent(const std::string& ns, const std::string& ip, const std::string& token_file) {
    Agent a;
    a.ns = ns;
    a.ip = ip;
    a.admin_port = FreePort(ip);
    const int data_port = FreePort(ip);
    a.process = std::make_unique<ChildProcess>(
        std::vector<std::string>{agent_bin_, "--listen", ip + ":" + std::to_string(data_port),
                                 "--upstream", "127.0.0.1:" + std::to_string(upstream_.port()),
                                 "--admin", ip + ":" + std::to_string(a.admin_port), "--token-file",
                                 token_file, "--threads", "1", "--quiet"},
        dir_ + "/agent-" + ns + ".log");
    const std::string health = "http://" + ip + ":" + std::to_string(a.admin_port) + "/healthz";
    EXPECT_TRUE(WaitFor([&] { return HttpGetStatus(health) == 200; }, 20s)) << ns;
    return a;
  }

  void CreatePod(const std::string& ns, const std::string& name, const std::string& ip, int port) {
    auto created = CreateAgentPod(ns, name, ip, port);
    ASSERT_EQ(created.code, 0) << created.output;
  }

  void CreateSecret(const std::string& ns, const std::string& token) {
    auto r = Kubectl("-n " + ns +
                     " create secret generic kubeheal-agent-token --from-literal=token=" + token);
    ASSERT_EQ(r.code, 0) << r.output;
  }

  // The operator as the chart runs it: the token file is the release namespace's token.
  void StartOperator() {
    operator_ = std::make_unique<ChildProcess>(
        std::vector<std::string>{
            operator_bin_, "--kubeconfig", Kubeconfig(),
            // No Prometheus: FaultScenarios without expect never query it.
            "--prometheus-url", "http://127.0.0.1:" + std::to_string(FreePort()), "--namespaces",
            ns_a_ + "," + ns_b_, "--metrics-addr", "127.0.0.1:" + std::to_string(FreePort()),
            "--health-addr", "127.0.0.1:" + std::to_string(FreePort()), "--agent-token-file",
            dir_ + "/token-a", "--release-namespace", ns_a_, "--fault-ttl", "20s", "--fault-renew",
            "2s", "--log-level", "debug"},
        dir_ + "/operator.log");
  }

  void ApplyScenario(const std::string& ns) {
    const Json sc = {{"apiVersion", "kubeheal.io/v1alpha1"},
                     {"kind", "FaultScenario"},
                     {"metadata", {{"name", "drill"}}},
                     {"spec",
                      {{"selector", {{"matchLabels", {{"app", "web"}}}}},
                       {"mode", "all"},
                       {"faults", Json::parse(R"([{"latency": {"delayMs": 50, "percent": 100}}])")},
                       {"duration", "60s"}}}};
    auto r = Kubectl("-n " + ns + " apply -f -", sc.dump());
    ASSERT_EQ(r.code, 0) << r.output;
  }

  Json Scenario(const std::string& ns) {
    return KubectlJson("-n " + ns + " get faultscenario drill");
  }
  // The scenario's status, {} until it has one.
  Json Status(const std::string& ns) {
    const Json sc = Scenario(ns);
    return sc.is_object() && sc.contains("status") && sc["status"].is_object() ? sc["status"]
                                                                               : Json::object();
  }

  // The faults an agent holds, asked with `token`; -1 when the agent refused or was unreachable.
  int FaultsOn(const Agent& agent, const std::string& token) {
    agentclient::AgentClientImpl client(3s);
    auto state = client.GetState({agent.ip, agent.admin_port, token});
    if (!state.ok()) return -1;
    return static_cast<int>(state->value("faults", Json::array()).size());
  }

  std::string operator_bin_, agent_bin_, dir_, ns_a_, ns_b_, token_a_, token_b_;
  Upstream upstream_;
  RequestRecorder recorder_b_;
  Agent agent_a_, agent_b_;
  std::unique_ptr<ChildProcess> operator_;
};

TEST_F(AgentTokenIntegrationTest, EachNamespacesPodsGetOnlyThatNamespacesToken) {
  CreateSecret(ns_b_, token_b_);  // A, the release namespace, has only the token file
  StartOperator();
  ApplyScenario(ns_a_);
  ApplyScenario(ns_b_);

  // Both agents took the fault: A's with the token file (release namespace), B's with B's Secret.
  ASSERT_TRUE(WaitFor([&] { return FaultsOn(agent_a_, token_a_) == 1; }, 60s))
      << Scenario(ns_a_).dump(2);
  ASSERT_TRUE(WaitFor([&] { return FaultsOn(agent_b_, token_b_) == 1; }, 60s))
      << Scenario(ns_b_).dump(2);
  // Renewals every 2 s: let several reach B's recorder too.
  ASSERT_TRUE(WaitFor([&] { return recorder_b_.requests().size() >= 3; }, 30s));

  const auto received = recorder_b_.requests();
  for (const auto& r : received) {
    EXPECT_EQ(r.authorization, "Bearer " + token_b_) << r.method << " " << r.path;
    EXPECT_EQ(r.authorization.find(token_a_), std::string::npos);
  }
  std::cout << "[kubeheal-measure] B's recorder received " << received.size()
            << " requests, all with B's token\n";
  EXPECT_EQ(Status(ns_b_).value("phase", ""), "Injecting") << Scenario(ns_b_).dump(2);

  // B's agent refuses A's token, for reads and for faults alike.
  agentclient::AgentClientImpl client(3s);
  auto state = client.GetState({agent_b_.ip, agent_b_.admin_port, token_a_});
  ASSERT_FALSE(state.ok());
  EXPECT_EQ(state.error().http_status, 401) << state.error().ToString();
  agentclient::AgentFault fault;
  fault.id = "stolen-token";
  fault.type = "httpError";
  fault.percent = 100;
  fault.ttl_seconds = 10;
  fault.params = {{"status", 503}};
  auto pushed = client.PushFault({agent_b_.ip, agent_b_.admin_port, token_a_}, fault);
  ASSERT_FALSE(pushed.ok());
  EXPECT_EQ(pushed.error().http_status, 401);
  EXPECT_FALSE(pushed.error().retryable());
  EXPECT_EQ(FaultsOn(agent_b_, token_b_), 1);  // only the operator's fault, not the stolen one
}

TEST_F(AgentTokenIntegrationTest, ANamespaceWithoutItsSecretGetsNoTokenAtAll) {
  // Neither namespace has a Secret; A still works through the token file, B gets nothing.
  StartOperator();
  ApplyScenario(ns_a_);
  ApplyScenario(ns_b_);
  const auto nothing_reached_b = [&] {
    const auto received = recorder_b_.requests();
    std::string first = received.empty() ? "" : received.front().authorization;
    if (first.size() > 7 + 4) first = first.substr(0, 7 + 4) + "...";
    EXPECT_TRUE(received.empty()) << "B's recorder got " << received.size()
                                  << " requests, the first with '" << first << "'"
                                  << (received.empty() || received.front().authorization.find(
                                                              token_a_) == std::string::npos
                                          ? ""
                                          : " (namespace A's token)");
    EXPECT_EQ(FaultsOn(agent_b_, token_b_), 0);
  };

  // B's scenario ends at once, or (were a token handed out) B's pods are called.
  ASSERT_TRUE(WaitFor(
      [&] {
        return Status(ns_b_).value("phase", "") == "Failed" || !recorder_b_.requests().empty();
      },
      60s))
      << Scenario(ns_b_).dump(2);
  nothing_reached_b();
  const Json b = Scenario(ns_b_);
  Json ready = Json::object();
  for (const auto& c : b["status"].value("conditions", Json::array())) {
    if (c.value("type", "") == "Ready") ready = c;
  }
  EXPECT_EQ(b["status"].value("phase", ""), "Failed") << b.dump(2);
  EXPECT_EQ(ready.value("reason", ""), "NoAgentToken") << b.dump(2);
  const std::string message = ready.value("message", "");
  EXPECT_NE(message.find("create Secret " + ns_b_ + "/kubeheal-agent-token with key \"token\""),
            std::string::npos)
      << message;
  EXPECT_TRUE(b["metadata"].value("finalizers", Json::array()).empty()) << b.dump(2);
  const auto events =
      KubectlJson("-n " + ns_b_ + " get events --field-selector reason=NoAgentToken");
  EXPECT_FALSE(events.value("items", Json::array()).empty())
      << "no NoAgentToken Event in " << ns_b_;

  // The release namespace keeps working with the token file.
  ASSERT_TRUE(WaitFor([&] { return FaultsOn(agent_a_, token_a_) == 1; }, 60s))
      << Scenario(ns_a_).dump(2);
  // An absence takes time to show: a few more renewal periods (2 s) of the operator's work.
  std::this_thread::sleep_for(6s);
  nothing_reached_b();
}

}  // namespace
}  // namespace kubeheal::itest
