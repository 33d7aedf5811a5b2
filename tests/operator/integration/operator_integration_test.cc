// The operator end to end on loopback: real kube-apiserver, real Prometheus scraping real
// kubeheal-agents in front of a real upstream, the real kubeheal-operator binary. Pods are
// created through the API with status.podIP patched to the 127.0.0.x address their agent
// listens on (no kubelet); each pod's agent admin port is given by kubeheal.io/agent-admin-port.
#include <signal.h>

#include <functional>
#include <iostream>
#include <map>
#include <random>
#include <set>
#include <sstream>

#include <gtest/gtest.h>

#include "kubeheal/agentclient/agent_client_impl.h"
#include "test_environment.h"

namespace kubeheal::itest {
namespace {

using namespace std::chrono_literals;

struct AgentPod {
  std::string name;
  std::string ip;
  int data_port = 0;
  int admin_port = 0;
  std::unique_ptr<ChildProcess> process;
  agentclient::AgentEndpoint endpoint() const { return {ip, admin_port, "itest-token"}; }
};

class OperatorIntegrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    operator_bin_ = Binary(KUBEHEAL_OPERATOR_BIN, "KUBEHEAL_OPERATOR_BIN");
    agent_bin_ = Binary(KUBEHEAL_AGENT_BIN, "KUBEHEAL_AGENT_BIN");
    if (!Executable(agent_bin_)) GTEST_SKIP() << "kubeheal-agent not built (agent component)";
    if (!Executable("/usr/bin/prometheus")) GTEST_SKIP() << "/usr/bin/prometheus missing";
    ASSERT_EQ(Kubectl("version --request-timeout=5s").code, 0)
        << "control plane unreachable at " << Kubeconfig();
    dir_ = TempDir("kubeheal-op-itest");
    std::random_device rd;
    ns_ = "itest-" + std::to_string(rd() % 1000000);
    ASSERT_EQ(Kubectl(std::string("apply -f ") + KUBEHEAL_SOURCE_DIR + "/crds/").code, 0);
    ASSERT_TRUE(WaitFor(
        [] {
          return Kubectl("get healingpolicies.kubeheal.io -A").code == 0 &&
                 Kubectl("get faultscenarios.kubeheal.io -A").code == 0;
        },
        30s));
    ASSERT_EQ(Kubectl("create namespace " + ns_).code, 0);
    Kubectl("-n " + ns_ + " create serviceaccount default");
    WriteFile(dir_ + "/token", "itest-token\n");
    ASSERT_EQ(
        Kubectl("-n " + ns_ +
                " create secret generic kubeheal-agent-token --from-literal=token=itest-token")
            .code,
        0);
    ApplyDeployment("web", 2);
    upstream_ = std::make_unique<Upstream>();
    for (int i = 0; i < 2; ++i) StartAgentPod(i);
    StartPrometheus();
  }

  // A Deployment of `replicas` pause pods labelled app=<name> (no kubelet runs them here).
  void ApplyDeployment(const std::string& name, int replicas) {
    const Json deployment = {
        {"apiVersion", "apps/v1"},
        {"kind", "Deployment"},
        {"metadata", {{"name", name}}},
        {"spec",
         {{"replicas", replicas},
          {"selector", {{"matchLabels", {{"app", name}}}}},
          {"template",
           {{"metadata", {{"labels", {{"app", name}}}}},
            {"spec", {{"containers", {{{"name", "app"}, {"image", "kubeheal/pause:dev"}}}}}}}}}}};
    ASSERT_EQ(Kubectl("-n " + ns_ + " apply -f -", deployment.dump()).code, 0);
  }

  // Leader election on the Lease kubeheal-itest of the test namespace; its holder now.
  std::vector<std::string> ElectionFlags() const {
    return {"--leader-elect", "--leader-election-namespace", ns_, "--leader-election-id",
            "kubeheal-itest"};
  }
  std::string LeaseHolder() {
    const Json lease = Get("lease kubeheal-itest");
    return lease.is_null() ? std::string()
                           : lease.value("spec", Json::object()).value("holderIdentity", "");
  }

  void TearDown() override {
    traffic_.reset();
    if (operator_) operator_->Stop();
    if (!ns_.empty() && !dir_.empty()) DeleteTestNamespace(ns_, {"drill"});
    if (HasFailure() && !dir_.empty()) {
      std::cerr << "operator log (" << dir_ << "/operator.log):\n"
                << ReadFile(dir_ + "/operator.log").substr(0, 20000) << "\n";
    }
    for (auto& p : pods_) p.process.reset();
    prometheus_.reset();
  }

  void StartAgentPod(int i) {
    AgentPod pod;
    pod.name = "web-" + std::to_string(i);
    pod.ip = "127.0.0." + std::to_string(10 + i);
    pod.data_port = FreePort(pod.ip);
    pod.admin_port = FreePort(pod.ip);
    pod.process = std::make_unique<ChildProcess>(
        std::vector<std::string>{agent_bin_, "--listen",
                                 pod.ip + ":" + std::to_string(pod.data_port), "--upstream",
                                 "127.0.0.1:" + std::to_string(upstream_->port()), "--admin",
                                 pod.ip + ":" + std::to_string(pod.admin_port), "--token-file",
                                 dir_ + "/token", "--threads", "2", "--quiet"},
        dir_ + "/" + pod.name + ".log");
    const std::string health =
        "http://" + pod.ip + ":" + std::to_string(pod.admin_port) + "/healthz";
    ASSERT_TRUE(WaitFor([&] { return HttpGetStatus(health) == 200; }, 20s)) << pod.name;
    auto created = CreateAgentPod(ns_, pod.name, pod.ip, pod.admin_port);
    ASSERT_EQ(created.code, 0) << created.output;
    pods_.push_back(std::move(pod));
  }

  void StartPrometheus(int port = 0) {
    if (port == 0) port = FreePort();
    prometheus_port_ = port;
    std::string targets;
    for (const auto& p : pods_) {
      targets += "  - targets: ['" + p.ip + ":" + std::to_string(p.admin_port) + "']\n" +
                 "    labels: {namespace: '" + ns_ + "', pod: '" + p.name + "'}\n";
    }
    WriteFile(dir_ + "/prometheus.yml",
              "global: {scrape_interval: 1s, evaluation_interval: 1s}\n"
              "scrape_configs:\n- job_name: agents\n  static_configs:\n" +
                  targets);
    prometheus_ = std::make_unique<ChildProcess>(
        std::vector<std::string>{"/usr/bin/prometheus", "--config.file=" + dir_ + "/prometheus.yml",
                                 "--storage.tsdb.path=" + dir_ + "/tsdb",
                                 "--web.listen-address=127.0.0.1:" + std::to_string(port)},
        dir_ + "/prometheus.log");
    ASSERT_TRUE(WaitFor(
        [&] {
          return HttpGetStatus("http://127.0.0.1:" + std::to_string(port) + "/-/ready") == 200;
        },
        60s))
        << ReadFile(dir_ + "/prometheus.log").substr(0, 3000);
  }

  void StartOperator() { operator_ = LaunchOperator({}, "operator"); }

  std::unique_ptr<ChildProcess> LaunchOperator(const std::vector<std::string>& extra,
                                               const std::string& log_name) {
    metrics_port_ = FreePort();
    std::vector<std::string> argv{operator_bin_,
                                  "--kubeconfig",
                                  Kubeconfig(),
                                  "--prometheus-url",
                                  "http://127.0.0.1:" + std::to_string(prometheus_port_),
                                  "--namespaces",
                                  ns_,
                                  "--metrics-addr",
                                  "127.0.0.1:" + std::to_string(metrics_port_),
                                  "--health-addr",
                                  "127.0.0.1:" + std::to_string(FreePort()),
                                  "--agent-token-file",
                                  dir_ + "/token",
                                  "--release-namespace",
                                  ns_,
                                  "--fault-ttl",
                                  "6s",
                                  "--fault-renew",
                                  "2s",
                                  "--log-level",
                                  "debug"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return std::make_unique<ChildProcess>(argv, dir_ + "/" + log_name + ".log");
  }

  void StartTraffic(int rps = 20) {
    std::vector<std::string> urls;
    for (const auto& p : pods_)
      urls.push_back("http://" + p.ip + ":" + std::to_string(p.data_port) + "/api");
    traffic_ = std::make_unique<TrafficGenerator>(urls, rps);
  }

  // 60 rps on the pods' root: over the traffic policy's threshold of 50.
  void StartSpike() {
    std::vector<std::string> urls;
    for (const auto& p : pods_)
      urls.push_back("http://" + p.ip + ":" + std::to_string(p.data_port) + "/");
    traffic_ = std::make_unique<TrafficGenerator>(urls, 60);
  }

  // One rule: a request rate over 50 scales the Deployment out by one (1..4), then alerts.
  void ApplyTrafficPolicy(const std::string& verify_after, const std::string& scale_back_after) {
    Json patch = Json::parse(R"J({
      "signals": [{"name": "request-rate", "pattern": "traffic",
                   "query": "sum(rate(http_requests_total{namespace=\"{{namespace}}\",pod=~\"{{pod}}\"}[10s]))",
                   "detector": {"type": "threshold", "params": {"above": 50}}, "for": "0s"}],
      "rules": [{"name": "traffic", "when": {"pattern": "traffic"}, "actions": ["scale", "alert"]}],
      "actions": {"scale": {"step": 1, "minReplicas": 1, "maxReplicas": 4}}})J");
    patch["actions"]["scale"]["verifyAfter"] = verify_after;
    patch["actions"]["scale"]["scaleBackAfter"] = scale_back_after;
    ApplyPolicy(patch);
  }

  int ActionsOnRecord(const std::string& action) {
    // The object in a variable: a range-for over a member of a temporary dangles (C++20).
    const Json policy = Get("healingpolicy web");
    int n = 0;
    for (const auto& h : policy.value("status", Json::object()).value("history", Json::array())) {
      n += h.value("action", "") == action;
    }
    return n;
  }

  // A throttle or circuit the operator applied (history `action` Succeeded, `in_effect` on both
  // agents) stays while it renews it, well past its ttl, and ends by itself once the operator is
  // SIGKILLed: within the ttl of its last renewal (15 s: 3 intervals of 5 s, the shortest
  // interval, over --fault-ttl 6s) + one renewal interval, whatever the engine would have decided.
  void ExpectEffectEndsByItselfAfterSigkill(const Json& faults, const std::string& action,
                                            const std::function<bool(const Json&)>& in_effect) {
    ApplyPolicy(Json::object());  // interval 5s
    StartTraffic();
    StartOperator();
    ASSERT_TRUE(
        WaitFor([&] { return Condition("PrometheusAvailable").rfind("True", 0) == 0; }, 40s));
    std::this_thread::sleep_for(5s);
    ApplyScenario(faults, "5m", false);
    ASSERT_TRUE(WaitFor([&] { return HasHistory(action, "Succeeded"); }, 45s))
        << Get("healingpolicy web")["status"].dump(2);
    agentclient::AgentClientImpl client(2s);
    auto on = [&](const AgentPod& pod) {
      auto state = client.GetState(pod.endpoint());
      return state.ok() && in_effect(*state);
    };
    ASSERT_TRUE(WaitFor([&] { return on(pods_[0]) && on(pods_[1]); }, 10s));
    std::this_thread::sleep_for(20s);  // past the 15 s ttl: renewed
    ASSERT_TRUE(on(pods_[0]) && on(pods_[1]))
        << action
        << " lapsed while the operator ran: " << client.GetState(pods_[0].endpoint())->dump()
        << "\n"
        << Get("healingpolicy web")["status"].dump(2);
    operator_->Signal(SIGKILL);
    operator_->Stop();
    const auto killed = std::chrono::steady_clock::now();
    ASSERT_TRUE(WaitFor([&] { return !on(pods_[0]) && !on(pods_[1]); }, 40s))
        << action << " outlived the operator by 40 s";
    const double gone =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - killed).count();
    std::cout << "[kubeheal-measure] " << action << " gone " << gone
              << "s after SIGKILL of the operator (ttl 15s + renewal 5s)" << std::endl;
    EXPECT_LE(gone, 15.0 + 5.0 + 0.5);  // + the 200 ms polling of WaitFor and the agents' reads
  }

  void ApplyPolicy(const Json& spec_patch) {
    Json policy = Json::parse(R"J({
      "apiVersion": "kubeheal.io/v1alpha1", "kind": "HealingPolicy",
      "metadata": {"name": "web"},
      "spec": {"targetRef": {"kind": "Deployment", "name": "web"}, "interval": "5s",
        "signals": [
          {"name": "p99-latency", "pattern": "latency",
           "query": "histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{namespace=\"{{namespace}}\",pod=~\"{{pod}}\"}[10s])))",
           "detector": {"type": "threshold", "params": {"above": 0.15}}, "for": "0s"},
          {"name": "error-ratio", "pattern": "errors",
           "query": "sum(rate(http_requests_total{namespace=\"{{namespace}}\",pod=~\"{{pod}}\",code=~\"5..\"}[10s])) / clamp_min(sum(rate(http_requests_total{namespace=\"{{namespace}}\",pod=~\"{{pod}}\"}[10s])), 1e-9)",
           "detector": {"type": "threshold", "params": {"above": 0.2}}, "for": "0s"}],
        "rules": [{"name": "errors", "when": {"pattern": "errors"}, "actions": ["circuitBreak", "alert"]},
                  {"name": "latency", "when": {"pattern": "latency", "unless": ["errors"]},
                   "actions": ["throttle", "alert"]}],
        "actions": {"throttle": {"rps": 1000, "burst": 1000, "verifyAfter": "5s"},
                    "circuitBreak": {"duration": "5s", "halfOpenProbes": 1, "verifyAfter": "5s"}},
        "cooldown": "10s", "maxActionsPerHour": 20}})J");
    policy["spec"].merge_patch(spec_patch);
    auto r = Kubectl("-n " + ns_ + " apply -f -", policy.dump());
    ASSERT_EQ(r.code, 0) << r.output;
  }

  void ApplyScenario(const Json& faults, const std::string& duration, bool expect) {
    Json sc = {{"apiVersion", "kubeheal.io/v1alpha1"},
               {"kind", "FaultScenario"},
               {"metadata", {{"name", "drill"}}},
               {"spec",
                {{"selector", {{"matchLabels", {{"app", "web"}}}}},
                 {"mode", "all"},
                 {"faults", faults},
                 {"duration", duration}}}};
    if (expect) {
      sc["spec"]["expect"] = {
          {"policyRef", {{"name", "web"}}}, {"detectWithin", "40s"}, {"healWithin", "90s"}};
    }
    auto r = Kubectl("-n " + ns_ + " apply -f -", sc.dump());
    ASSERT_EQ(r.code, 0) << r.output;
  }

  Json Get(const std::string& what) { return KubectlJson("-n " + ns_ + " get " + what); }

  // One greppable line per measured scenario, quoted in the closing notes:
  //   [kubeheal-measure] scenario=latency verdict=Passed mttd=4.8s mttr=34.0s
  static void PrintMeasure(const std::string& scenario, const Json& object) {
    const auto status = object.value("status", Json::object());
    auto seconds = [&](const char* field) {
      if (!status.contains(field) || !status[field].is_number()) return std::string("none");
      char buf[32];
      std::snprintf(buf, sizeof buf, "%.1fs", status[field].get<double>());
      return std::string(buf);
    };
    std::cout << "[kubeheal-measure] scenario=" << scenario
              << " verdict=" << status.value("verdict", "none")
              << " mttd=" << seconds("mttdSeconds") << " mttr=" << seconds("mttrSeconds")
              << " reason=\"" << status.value("verdictReason", "") << "\"" << std::endl;
  }

  bool WaitForVerdict(std::chrono::seconds timeout) {
    return WaitFor(
        [&] {
          auto sc = Get("faultscenario drill");
          return !sc.is_null() && sc.value("status", Json::object()).contains("verdict");
        },
        timeout);
  }

  // kubeheal_kube_requests_total from the operator's /metrics, summed by verb.
  std::map<std::string, double> ApiRequestsByVerb() {
    std::map<std::string, double> out;
    const std::string text =
        HttpGetBody("http://127.0.0.1:" + std::to_string(metrics_port_) + "/metrics");
    std::istringstream lines(text);
    std::string line;
    while (std::getline(lines, line)) {
      if (line.rfind("kubeheal_kube_requests_total{", 0) != 0) continue;
      const auto verb_at = line.find("verb=\"");
      const auto space = line.rfind(' ');
      if (verb_at == std::string::npos || space == std::string::npos) continue;
      const auto verb_end = line.find('"', verb_at + 6);
      out[line.substr(verb_at + 6, verb_end - verb_at - 6)] += std::stod(line.substr(space + 1));
    }
    return out;
  }

  // The sum of the operator's series `name` whose labels contain `label` (e.g. reason="gone").
  double MetricSum(const std::string& name, const std::string& label) {
    const std::string text =
        HttpGetBody("http://127.0.0.1:" + std::to_string(metrics_port_) + "/metrics");
    std::istringstream lines(text);
    std::string line;
    double sum = 0;
    while (std::getline(lines, line)) {
      if (line.rfind(name + "{", 0) != 0 || line.find(label) == std::string::npos) continue;
      sum += std::stod(line.substr(line.rfind(' ') + 1));
    }
    return sum;
  }

  // The operator's /metrics: the series the chart's dashboards query exist with their labels,
  // and the whole exposition passes `promtool check metrics` (when promtool is installed).
  void ExpectOperatorMetrics() {
    const std::string text =
        HttpGetBody("http://127.0.0.1:" + std::to_string(metrics_port_) + "/metrics");
    ASSERT_FALSE(text.empty());
    const std::string policy = "policy=\"" + ns_ + "/web\"";
    for (const std::string& want :
         {"kubeheal_signal_value{" + policy + ",signal=\"p99-latency\"}",
          "kubeheal_signal_band_high{" + policy + ",signal=\"p99-latency\"}",
          "kubeheal_anomaly_score{" + policy + ",signal=\"p99-latency\"}",
          "kubeheal_policy_phase{phase=\"Healthy\"," + policy + "}",
          "kubeheal_scenario_mttd_seconds{scenario=\"" + ns_ + "/drill\"}",
          "kubeheal_scenario_mttr_seconds{scenario=\"" + ns_ + "/drill\"}",
          std::string("kubeheal_scenario_verdicts_total{verdict=\"Passed\"} 1"),
          std::string("kubeheal_workqueue_depth{name=\"healingpolicy\"}"),
          std::string("kubeheal_prometheus_query_errors_total"),
          std::string("kubeheal_reconcile_duration_seconds_bucket{controller=\"faultscenario\""),
          std::string("kubeheal_actions_total{action=\"throttle\",result=\"succeeded\"}"),
          std::string("process_cpu_seconds_total "), std::string("process_resident_memory_bytes "),
          std::string("process_virtual_memory_bytes "), std::string("process_open_fds "),
          std::string("process_max_fds "), std::string("process_start_time_seconds ")}) {
      EXPECT_NE(text.find(want), std::string::npos) << "no " << want << " in /metrics";
    }
    int phases_at_one = 0;
    for (size_t at = text.find("kubeheal_policy_phase{"); at != std::string::npos;
         at = text.find("kubeheal_policy_phase{", at + 1)) {
      const auto eol = text.find('\n', at);
      if (text.compare(eol - 2, 2, " 1") == 0) ++phases_at_one;
    }
    EXPECT_EQ(phases_at_one, 1) << "exactly one phase of the one policy is 1";
    if (Executable("/usr/bin/promtool")) {
      auto checked = Shell("/usr/bin/promtool check metrics", text);
      EXPECT_EQ(checked.code, 0) << checked.output;
      std::cout << "promtool check metrics on the operator's /metrics: exit " << checked.code
                << (checked.output.empty() ? "" : ", " + checked.output) << std::endl;
    }
  }

  bool HasHistory(const std::string& action, const std::string& result) {
    auto p = Get("healingpolicy web");
    if (p.is_null()) return false;
    for (const auto& h : p.value("status", Json::object()).value("history", Json::array())) {
      if (h.value("action", "") == action && h.value("result", "") == result) return true;
    }
    return false;
  }

  std::string Condition(const std::string& type) {
    auto p = Get("healingpolicy web");
    if (p.is_null()) return "";
    for (const auto& c : p.value("status", Json::object()).value("conditions", Json::array())) {
      if (c.value("type", "") == type) return c.value("status", "") + ": " + c.value("message", "");
    }
    return "";
  }

  int ActiveFaults(const AgentPod& pod) {
    agentclient::AgentClientImpl client(2s);
    auto state = client.GetState(pod.endpoint());
    if (!state.ok()) return -1;
    return static_cast<int>((*state).value("faults", Json::array()).size());
  }

  std::string operator_bin_, agent_bin_, dir_, ns_;
  std::unique_ptr<Upstream> upstream_;
  std::vector<AgentPod> pods_;
  std::unique_ptr<ChildProcess> prometheus_;
  int prometheus_port_ = 0;
  int metrics_port_ = 0;
  std::unique_ptr<ChildProcess> operator_;
  std::unique_ptr<TrafficGenerator> traffic_;
};

TEST_F(OperatorIntegrationTest, LatencyScenarioIsDetectedThrottledAndJudged) {
  ApplyPolicy(Json::object());
  StartTraffic();
  StartOperator();
  ASSERT_TRUE(WaitFor([&] { return Condition("PrometheusAvailable").rfind("True", 0) == 0; }, 40s))
      << Condition("PrometheusAvailable");
  std::this_thread::sleep_for(10s);  // a normal baseline first
  ApplyScenario(Json::array({{{"latency", {{"delayMs", 300}, {"percent", 100}}}}}), "20s", true);
  ASSERT_TRUE(
      WaitFor([&] { return ActiveFaults(pods_[0]) == 1 && ActiveFaults(pods_[1]) == 1; }, 30s));
  ASSERT_TRUE(WaitFor([&] { return HasHistory("throttle", "Succeeded"); }, 45s))
      << Get("healingpolicy web")["status"].dump(2);
  agentclient::AgentClientImpl client(2s);
  auto state = client.GetState(pods_[0].endpoint());
  ASSERT_TRUE(state.ok());
  EXPECT_EQ((*state)["throttle"]["enabled"], true) << state->dump();
  ASSERT_TRUE(WaitForVerdict(120s)) << Get("faultscenario drill").dump(2);
  const auto sc = Get("faultscenario drill");
  PrintMeasure("latency", sc);
  EXPECT_EQ(sc["status"]["verdict"], "Passed") << sc["status"].dump(2);
  EXPECT_EQ(sc["status"]["phase"], "Completed");
  EXPECT_EQ(ActiveFaults(pods_[0]), 0);
  EXPECT_EQ(ActiveFaults(pods_[1]), 0);
  const auto policy = Get("healingpolicy web");
  bool tagged = false;
  for (const auto& h : policy["status"]["history"]) {
    tagged = tagged || h.value("scenario", "") == ns_ + "/drill";
  }
  EXPECT_TRUE(tagged) << policy["status"]["history"].dump(2);
  const auto events = Get("events --field-selector reason=HealingAction");
  ASSERT_FALSE(events.is_null());
  std::set<std::string> kinds;
  for (const auto& e : events["items"]) kinds.insert(e["involvedObject"].value("kind", ""));
  EXPECT_TRUE(kinds.count("HealingPolicy") && kinds.count("Deployment"))
      << events.dump().substr(0, 2000);
  ExpectOperatorMetrics();
}

// Reads come from the informers' caches, and a status whose only changes are the live figures is
// refreshed every 30 s: a policy evaluated every 5 s in a steady state sends no GET or LIST and
// at most one status update in 20 s.
TEST_F(OperatorIntegrationTest, SteadyStateEvaluationsReadNothingFromTheApiServer) {
  ApplyPolicy(Json::object());
  StartTraffic();
  StartOperator();
  ASSERT_TRUE(WaitFor([&] { return Condition("PrometheusAvailable").rfind("True", 0) == 0; }, 40s));
  std::this_thread::sleep_for(6s);
  const auto before = ApiRequestsByVerb();
  ASSERT_FALSE(before.empty());
  std::this_thread::sleep_for(20s);  // four evaluations at interval 5s
  auto after = ApiRequestsByVerb();
  std::ostringstream line;
  line << "[kubeheal-measure] steady-state API requests in 20s (4 policy ticks):";
  for (const auto& [verb, n] : after) {
    const double delta = n - (before.count(verb) ? before.at(verb) : 0.0);
    line << " " << verb << "=" << delta;
  }
  std::cout << line.str() << std::endl;
  EXPECT_EQ(after["get"], before.count("get") ? before.at("get") : 0.0);
  EXPECT_EQ(after["list"], before.count("list") ? before.at("list") : 0.0);
  EXPECT_LE(after["update"] - (before.count("update") ? before.at("update") : 0.0), 1.0);
}

TEST_F(OperatorIntegrationTest, ErrorBurstOpensTheCircuitBreaker) {
  ApplyPolicy(Json::object());
  StartTraffic();
  StartOperator();
  ASSERT_TRUE(WaitFor([&] { return Condition("PrometheusAvailable").rfind("True", 0) == 0; }, 40s));
  std::this_thread::sleep_for(5s);
  ApplyScenario(Json::array({{{"httpError", {{"status", 503}, {"percent", 60}}}}}), "20s", true);
  ASSERT_TRUE(WaitFor([&] { return HasHistory("circuitBreak", "Succeeded"); }, 45s))
      << Get("healingpolicy web")["status"].dump(2);
  agentclient::AgentClientImpl client(2s);
  auto state = client.GetState(pods_[1].endpoint());
  ASSERT_TRUE(state.ok());
  EXPECT_EQ((*state)["circuit"]["mode"], "auto") << state->dump();
  EXPECT_FALSE(HasHistory("throttle", "Succeeded"));  // latency rule defers to errors
  ASSERT_TRUE(WaitForVerdict(120s)) << Get("faultscenario drill").dump(2);
  const auto sc = Get("faultscenario drill");
  PrintMeasure("error-burst", sc);
  EXPECT_EQ(sc["status"]["verdict"], "Passed") << sc["status"].dump(2);
}

TEST_F(OperatorIntegrationTest, DryRunOnlyRecords) {
  ApplyPolicy({{"dryRun", true}});
  StartTraffic();
  StartOperator();
  ASSERT_TRUE(WaitFor([&] { return Condition("PrometheusAvailable").rfind("True", 0) == 0; }, 40s));
  std::this_thread::sleep_for(5s);
  ApplyScenario(Json::array({{{"latency", {{"delayMs", 300}, {"percent", 100}}}}}), "15s", false);
  ASSERT_TRUE(WaitFor([&] { return HasHistory("throttle", "DryRun"); }, 45s))
      << Get("healingpolicy web")["status"].dump(2);
  agentclient::AgentClientImpl client(2s);
  for (const auto& pod : pods_) {
    auto state = client.GetState(pod.endpoint());
    ASSERT_TRUE(state.ok());
    EXPECT_EQ((*state)["throttle"]["enabled"], false);
    EXPECT_EQ((*state)["circuit"]["mode"], "closed");
  }
  EXPECT_EQ(Get("deployment web")["spec"]["replicas"], 2);
  const auto events = Get("events --field-selector reason=DryRunAction");
  ASSERT_FALSE(events.is_null());
  EXPECT_FALSE(events["items"].empty());
}

TEST_F(OperatorIntegrationTest, OperatorKilledMidScenarioLeavesNoFaultAfterExpiry) {
  ApplyPolicy(Json::object());
  StartOperator();
  ApplyScenario(Json::array({{{"latency", {{"delayMs", 100}, {"percent", 50}}}}}), "5m", false);
  ASSERT_TRUE(
      WaitFor([&] { return ActiveFaults(pods_[0]) == 1 && ActiveFaults(pods_[1]) == 1; }, 30s));
  operator_->Signal(SIGKILL);
  operator_->Stop();
  const auto killed = std::chrono::steady_clock::now();
  ASSERT_TRUE(
      WaitFor([&] { return ActiveFaults(pods_[0]) == 0 && ActiveFaults(pods_[1]) == 0; }, 15s));
  const double gone =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - killed).count();
  std::cout << "[kubeheal-measure] faults gone " << gone
            << "s after SIGKILL of the operator (fault ttl 6s, renewal 2s)" << std::endl;
  // Within the ttl of the last renewal, at most ttl + one renewal period after the kill.
  EXPECT_LE(gone, 6.0 + 2.0);
}

TEST_F(OperatorIntegrationTest, ThrottleEndsByItselfWhenTheOperatorIsKilled) {
  ExpectEffectEndsByItselfAfterSigkill(
      Json::array({{{"latency", {{"delayMs", 300}, {"percent", 100}}}}}), "throttle",
      [](const Json& state) { return state["throttle"].value("enabled", false); });
}

TEST_F(OperatorIntegrationTest, ArmedCircuitGoesBackByItselfWhenTheOperatorIsKilled) {
  ExpectEffectEndsByItselfAfterSigkill(
      Json::array({{{"httpError", {{"status", 503}, {"percent", 60}}}}}), "circuitBreak",
      [](const Json& state) { return state["circuit"].value("mode", "") == "auto"; });
  agentclient::AgentClientImpl client(2s);
  auto state = client.GetState(pods_[0].endpoint());
  ASSERT_TRUE(state.ok());
  EXPECT_EQ((*state)["circuit"]["mode"], "closed")
      << "not back to its earlier circuit: " << state->dump();
}

TEST_F(OperatorIntegrationTest, TrafficSpikeScalesTheDeploymentOut) {
  ApplyTrafficPolicy("30s", "5s");
  StartTraffic(5);
  StartOperator();
  ASSERT_TRUE(WaitFor([&] { return Condition("PrometheusAvailable").rfind("True", 0) == 0; }, 40s));
  std::this_thread::sleep_for(5s);
  EXPECT_EQ(Get("deployment web")["spec"]["replicas"], 2);  // no spike, no scaling
  const auto spike_start = std::chrono::steady_clock::now();
  StartSpike();
  ASSERT_TRUE(WaitFor([&] { return Get("deployment web")["spec"]["replicas"] == 3; }, 60s))
      << Get("healingpolicy web")["status"].dump(2);
  const double scale_out =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - spike_start).count();
  EXPECT_TRUE(HasHistory("scale", "Succeeded"));
  // The spike ends: once the rate is normal for scaleBackAfter, replicas return to 2.
  const auto spike_end = std::chrono::steady_clock::now();
  StartTraffic(5);
  ASSERT_TRUE(WaitFor([&] { return Get("deployment web")["spec"]["replicas"] == 2; }, 90s))
      << Get("healingpolicy web")["status"].dump(2);
  const double scale_in =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - spike_end).count();
  EXPECT_TRUE(HasHistory("revert", "Reverted"))
      << Get("healingpolicy web")["status"]["history"].dump(2);
  char line[160];
  std::snprintf(line, sizeof line,
                "[kubeheal-measure] scenario=traffic-spike replicas=2->3 scale_out=%.1fs "
                "scale_in=%.1fs (3->2, scaleBackAfter 5s)",
                scale_out, scale_in);
  std::cout << line << std::endl;
}

// The scale changes have no agent to expire them: their revert lives in the API (the policy's
// engine state, the scenario's annotation with the generator's replicas), and whichever
// operator runs next carries it out. SIGKILL mid-effect, a new process afterwards.
TEST_F(OperatorIntegrationTest, AScaleOutOfAKilledOperatorIsScaledBackByTheNextOne) {
  ApplyTrafficPolicy("30s", "5s");
  StartTraffic(5);
  StartOperator();
  ASSERT_TRUE(WaitFor([&] { return Condition("PrometheusAvailable").rfind("True", 0) == 0; }, 40s));
  StartSpike();
  ASSERT_TRUE(WaitFor([&] { return Get("deployment web")["spec"]["replicas"] == 3; }, 60s))
      << Get("healingpolicy web")["status"].dump(2);
  operator_->Signal(SIGKILL);
  operator_->Stop();
  StartTraffic(5);  // the spike ends while no operator runs
  std::this_thread::sleep_for(15s);
  EXPECT_EQ(Get("deployment web")["spec"]["replicas"], 3) << "nothing runs that could scale back";
  const auto restarted = std::chrono::steady_clock::now();
  operator_ = LaunchOperator({}, "operator-next");
  ASSERT_TRUE(WaitFor([&] { return Get("deployment web")["spec"]["replicas"] == 2; }, 60s))
      << Get("healingpolicy web")["status"].dump(2);
  const double back =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - restarted).count();
  std::cout << "[kubeheal-measure] scale-out of a SIGKILLed operator scaled back " << back
            << "s after the next one started (scaleBackAfter 5s)" << std::endl;
  EXPECT_EQ(ActionsOnRecord("scale"), 1) << "the next operator scaled out again: "
                                         << Get("healingpolicy web")["status"]["history"].dump(2);
}

TEST_F(OperatorIntegrationTest, ATrafficSpikeOfAKilledOperatorIsUndoneByTheNextOne) {
  ApplyDeployment("loadgen", 1);
  StartOperator();
  const Json sc = {
      {"apiVersion", "kubeheal.io/v1alpha1"},
      {"kind", "FaultScenario"},
      {"metadata", {{"name", "drill"}}},
      {"spec",
       {{"selector", {{"matchLabels", {{"app", "web"}}}}},
        {"mode", "all"},
        {"faults",
         {{{"trafficSpike", {{"generatorRef", {{"name", "loadgen"}}}, {"replicas", 4}}}}}},
        {"duration", "10s"}}}};
  ASSERT_EQ(Kubectl("-n " + ns_ + " apply -f -", sc.dump()).code, 0);
  ASSERT_TRUE(WaitFor([&] { return Get("deployment loadgen")["spec"]["replicas"] == 4; }, 30s))
      << Get("faultscenario drill").dump(2);
  operator_->Signal(SIGKILL);
  operator_->Stop();
  std::this_thread::sleep_for(12s);  // past the scenario's end
  EXPECT_EQ(Get("deployment loadgen")["spec"]["replicas"], 4);
  const auto restarted = std::chrono::steady_clock::now();
  operator_ = LaunchOperator({}, "operator-next");
  ASSERT_TRUE(WaitFor([&] { return Get("deployment loadgen")["spec"]["replicas"] == 1; }, 30s))
      << Get("faultscenario drill").dump(2);
  const double back =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - restarted).count();
  std::cout << "[kubeheal-measure] trafficSpike of a SIGKILLed operator undone " << back
            << "s after the next one started" << std::endl;
  EXPECT_TRUE(WaitFor(
      [&] {
        auto s = Get("faultscenario drill");
        return !s.is_null() && s["status"].value("phase", "") == "Completed";
      },
      30s))
      << Get("faultscenario drill").dump(2);
}

// Two operators with leader election; the leader SIGKILLs itself (--failpoint) right after it
// recorded a scale-out (before acting), or right after acting (before recording the outcome).
// The standby takes the Lease within its duration (15 s) + a retry period (2 s), finds the
// decision without an outcome and finishes it: the Deployment is scaled out once (3, never
// skipped, never 4) and the history holds one scale, Succeeded.
class LeaderLostMidActionTest : public OperatorIntegrationTest,
                                public ::testing::WithParamInterface<std::string> {};

TEST_P(LeaderLostMidActionTest, TheStandbyNeitherSkipsNorRepeatsTheAction) {
  ApplyTrafficPolicy("2m", "5m");
  const std::vector<std::string> elect = ElectionFlags();
  std::vector<std::string> with_failpoint = elect;
  with_failpoint.insert(with_failpoint.end(), {"--failpoint", GetParam()});
  StartTraffic(5);
  auto leader = LaunchOperator(with_failpoint, "operator-leader");
  ASSERT_TRUE(WaitFor(
      [&] {
        return LeaseHolder().find("_" + std::to_string(leader->pid()) + "_") != std::string::npos;
      },
      30s));
  auto standby = LaunchOperator(elect, "operator-standby");
  ASSERT_TRUE(WaitFor([&] { return Condition("PrometheusAvailable").rfind("True", 0) == 0; }, 40s));
  StartSpike();
  // The leader reaches its failpoint and is gone.
  ASSERT_TRUE(WaitFor([&] { return !leader->Running(); }, 60s))
      << ReadFile(dir_ + "/operator-leader.log").substr(0, 4000);
  const auto lost = std::chrono::steady_clock::now();
  const std::string first = LeaseHolder();
  ASSERT_TRUE(WaitFor(
      [&] {
        const auto h = LeaseHolder();
        return !h.empty() && h != first;
      },
      30s));
  const double takeover =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - lost).count();
  EXPECT_LE(takeover, 15.0 + 2.0 + 1.0)
      << "the standby took longer than lease duration + retry period";
  ASSERT_TRUE(WaitFor(
      [&] {
        auto p = Get("healingpolicy web");
        for (const auto& h : p.value("status", Json::object()).value("history", Json::array())) {
          if (h.value("action", "") == "scale" && h.value("result", "") == "Succeeded") return true;
        }
        return false;
      },
      40s))
      << Get("healingpolicy web")["status"].dump(2) << "\nstandby log:\n"
      << ReadFile(dir_ + "/operator-standby.log").substr(0, 6000);
  std::this_thread::sleep_for(6s);  // a few more evaluations of the standby
  EXPECT_EQ(Get("deployment web")["spec"]["replicas"], 3);
  EXPECT_EQ(ActionsOnRecord("scale"), 1) << Get("healingpolicy web")["status"]["history"].dump(2);
  std::cout << "[kubeheal-measure] leader SIGKILLed at " << GetParam()
            << ": standby took the Lease " << takeover
            << "s later (lease 15s + retry 2s) and finished the scale-out once" << std::endl;
}

INSTANTIATE_TEST_SUITE_P(Failpoints, LeaderLostMidActionTest,
                         ::testing::Values("after-action-recorded", "after-action-executed"),
                         [](const auto& info) {
                           std::string name = info.param;
                           std::erase(name, '-');
                           return name;
                         });

// The apiserver SIGKILLed and started again (hack/control-plane.sh, same etcd, same port) twice
// in one ladder: while the operator decides the first rung (its record fails: nothing is
// executed, the same rung is decided again once the apiserver is back), and between that action
// and its verification (the ladder goes on to its next rung at verifyAfter). One scale and one
// alert on record, the Deployment at 3 (never 4), and the informers LIST again only where the
// restarted apiserver answered their watch with 410 (its watch cache starts at the current
// revision, so an older resourceVersion is gone): no relist without that answer.
TEST_F(OperatorIntegrationTest, ApiserverRestartsMidLadderNeitherSkipNorDoubleARung) {
  ApplyTrafficPolicy("25s", "5m");
  StartTraffic(5);
  StartOperator();
  ASSERT_TRUE(WaitFor([&] { return Condition("PrometheusAvailable").rfind("True", 0) == 0; }, 40s));
  const std::string plane = std::string(KUBEHEAL_SOURCE_DIR) + "/hack/control-plane.sh";
  bool down = false;
  auto stop = [&] {
    auto r = Shell(plane + " stop-apiserver --kill");
    ASSERT_EQ(r.code, 0) << r.output;
    down = true;
  };
  auto start = [&] {
    auto r = Shell(plane + " start-apiserver");
    ASSERT_EQ(r.code, 0) << r.output;
    down = false;
  };
  struct Restore {  // never leave the shared apiserver down for the tests after this one
    std::function<void()> f;
    ~Restore() { f(); }
  } restore{[&] {
    if (down) Shell(plane + " start-apiserver");
  }};
  const double lists_before = ApiRequestsByVerb()["list"];
  const std::string watch_restarts = "kubeheal_kube_watch_restarts_total";
  const double gone_before = MetricSum(watch_restarts, "reason=\"gone\"");

  // 1. The spike begins while the apiserver is gone: decisions cannot be recorded.
  stop();
  StartSpike();
  std::this_thread::sleep_for(15s);  // three evaluations at 5 s, each deciding the scale
  start();
  ASSERT_TRUE(WaitFor([&] { return HasHistory("scale", "Succeeded"); }, 40s))
      << Get("healingpolicy web")["status"].dump(2);
  EXPECT_EQ(Get("deployment web")["spec"]["replicas"], 3);
  EXPECT_NE(ReadFile(dir_ + "/operator.log").find("decisions not recorded, so not executed"),
            std::string::npos)
      << "the operator never decided while the apiserver was down";

  // 2. Gone again between the action and its verification.
  stop();
  std::this_thread::sleep_for(10s);
  start();
  ASSERT_TRUE(WaitFor([&] { return ActionsOnRecord("alert") >= 1; }, 60s))
      << "the ladder did not go on to its next rung: "
      << Get("healingpolicy web")["status"].dump(2);
  std::this_thread::sleep_for(5s);
  EXPECT_EQ(ActionsOnRecord("scale"), 1) << Get("healingpolicy web")["status"]["history"].dump(2);
  EXPECT_EQ(ActionsOnRecord("alert"), 1) << Get("healingpolicy web")["status"]["history"].dump(2);
  EXPECT_EQ(Get("deployment web")["spec"]["replicas"], 3);
  const double lists = ApiRequestsByVerb()["list"] - lists_before;
  const double gone = MetricSum(watch_restarts, "reason=\"gone\"") - gone_before;
  const double errors = MetricSum(watch_restarts, "reason=\"error\"");
  EXPECT_EQ(lists, gone) << "an informer listed again without a 410 (its watch could resume)";
  EXPECT_GT(errors, 0) << "no watch saw the apiserver go";
  std::cout << "[kubeheal-measure] two apiserver SIGKILLs mid-ladder: scale x"
            << ActionsOnRecord("scale") << ", alert x" << ActionsOnRecord("alert")
            << "; LISTs across the restarts " << lists
            << ", each after a 410 from the restarted apiserver (" << gone << "); watch errors "
            << errors << std::endl;
}

// Two replicas with leader election, as the chart runs them: on SIGTERM the leader stops its
// controllers and releases the Lease, so the standby takes over within a retry period (2 s)
// instead of the Lease duration (15 s), and then acts.
TEST_F(OperatorIntegrationTest, GracefulShutdownHandsTheLeaseToTheStandbyAtOnce) {
  const std::vector<std::string> elect = ElectionFlags();
  auto a = LaunchOperator(elect, "operator-a");
  auto b = LaunchOperator(elect, "operator-b");
  auto logs = [&] {
    return "operator-a:\n" + ReadFile(dir_ + "/operator-a.log").substr(0, 4000) +
           "\noperator-b:\n" + ReadFile(dir_ + "/operator-b.log").substr(0, 4000);
  };
  ASSERT_TRUE(WaitFor([&] { return !LeaseHolder().empty(); }, 30s)) << logs();
  const std::string first = LeaseHolder();
  // Identities are host_pid_random.
  auto held_by = [](const std::string& identity, const ChildProcess& p) {
    return identity.find("_" + std::to_string(p.pid()) + "_") != std::string::npos;
  };
  ASSERT_TRUE(held_by(first, *a) || held_by(first, *b)) << first;
  ChildProcess& leader = held_by(first, *a) ? *a : *b;
  ChildProcess& standby = held_by(first, *a) ? *b : *a;
  const auto signalled = std::chrono::steady_clock::now();
  leader.Signal(SIGTERM);
  ASSERT_TRUE(WaitFor(
      [&] {
        const auto h = LeaseHolder();
        return !h.empty() && h != first;
      },
      30s))
      << logs();
  const double handover =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - signalled).count();
  EXPECT_TRUE(held_by(LeaseHolder(), standby)) << LeaseHolder();
  EXPECT_EQ(leader.Stop(), 0) << "a clean shutdown exits 0\n" << logs();
  EXPECT_LT(handover, 8.0) << "the Lease was not released: the standby waited for its expiry";
  char line[128];
  std::snprintf(line, sizeof line, "[kubeheal-measure] leader-handover=%.1fs (lease 15s, retry 2s)",
                handover);
  std::cout << line << std::endl;
  // The new leader acts.
  ApplyPolicy(Json::object());
  EXPECT_TRUE(WaitFor([&] { return Condition("PrometheusAvailable").rfind("True", 0) == 0; }, 40s))
      << logs();
}

// podKill with an interval against the real API server: one pod per round, never the same
// one twice, each on record before it is deleted (no kubelet here, so nothing replaces them).
TEST_F(OperatorIntegrationTest, PodKillWithIntervalDeletesOnePodPerRound) {
  for (int i = 0; i < 3; ++i) {
    const std::string name = "victim-" + std::to_string(i);
    const Json pod = {
        {"apiVersion", "v1"},
        {"kind", "Pod"},
        {"metadata", {{"name", name}, {"labels", {{"app", "victim"}}}}},
        {"spec", {{"containers", {{{"name", "app"}, {"image", "kubeheal/pause:dev"}}}}}}};
    ASSERT_EQ(Kubectl("-n " + ns_ + " apply -f -", pod.dump()).code, 0);
    const Json status = {
        {"status", {{"phase", "Running"}, {"podIP", "127.0.0." + std::to_string(50 + i)}}}};
    ASSERT_EQ(Kubectl("-n " + ns_ + " patch pod " + name +
                      " --subresource=status --type=merge -p '" + status.dump() + "'")
                  .code,
              0);
  }
  StartOperator();
  const Json sc = {{"apiVersion", "kubeheal.io/v1alpha1"},
                   {"kind", "FaultScenario"},
                   {"metadata", {{"name", "drill"}}},
                   {"spec",
                    {{"selector", {{"matchLabels", {{"app", "victim"}}}}},
                     {"mode", "one"},
                     {"faults", {{{"podKill", {{"interval", "5s"}}}}}},
                     {"duration", "13s"}}}};
  const auto start = std::chrono::steady_clock::now();
  ASSERT_EQ(Kubectl("-n " + ns_ + " apply -f -", sc.dump()).code, 0);
  auto remaining = [&] {
    auto pods = Get("pods -l app=victim");
    return pods.is_null() ? -1 : static_cast<int>(pods["items"].size());
  };
  ASSERT_TRUE(WaitFor([&] { return remaining() == 2; }, 20s));
  const double first =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_TRUE(WaitFor([&] { return remaining() == 0; }, 30s)) << remaining() << " pods left";
  const double last =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ASSERT_TRUE(WaitFor(
      [&] {
        auto s = Get("faultscenario drill");
        return !s.is_null() && s["status"].value("phase", "") == "Completed";
      },
      30s))
      << Get("faultscenario drill").dump(2);
  const auto done = Get("faultscenario drill");
  std::set<std::string> killed;
  for (const auto& t : done["status"]["targets"]) {
    EXPECT_TRUE(t.contains("killedAt")) << t.dump();
    killed.insert(t.value("pod", ""));
  }
  EXPECT_EQ(killed, (std::set<std::string>{"victim-0", "victim-1", "victim-2"}));
  // Rounds at 0, 5 and 10 s: the last pod goes 8-14 s after the first.
  EXPECT_GE(last - first, 8.0);
  char line[160];
  std::snprintf(line, sizeof line,
                "[kubeheal-measure] scenario=pod-kill-interval pods=3 interval=5s first_kill=%.1fs "
                "last_kill=%.1fs",
                first, last);
  std::cout << line << std::endl;
}

TEST_F(OperatorIntegrationTest, PrometheusDownMeansNoActionAndAConditionThenRecovery) {
  ApplyPolicy(Json::object());
  StartTraffic();
  StartOperator();
  ASSERT_TRUE(WaitFor([&] { return Condition("PrometheusAvailable").rfind("True", 0) == 0; }, 40s));
  const int port = prometheus_port_;
  prometheus_->Stop();
  // Faults while Prometheus is away must not lead to any action.
  ApplyScenario(Json::array({{{"latency", {{"delayMs", 300}, {"percent", 100}}}}}), "15s", false);
  ASSERT_TRUE(
      WaitFor([&] { return Condition("PrometheusAvailable").rfind("False", 0) == 0; }, 30s));
  std::cout << "condition while Prometheus is down: " << Condition("PrometheusAvailable") << "\n";
  std::this_thread::sleep_for(10s);
  EXPECT_FALSE(HasHistory("throttle", "Succeeded"));
  StartPrometheus(port);
  EXPECT_TRUE(WaitFor([&] { return Condition("PrometheusAvailable").rfind("True", 0) == 0; }, 40s))
      << Condition("PrometheusAvailable");
}

}  // namespace
}  // namespace kubeheal::itest
