#include "operator_app.h"

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include <prometheus/registry.h>

#include "kubeheal/agentclient/agent_client_impl.h"
#include "kubeheal/api/duration.h"
#include "kubeheal/common/logger.h"
#include "kubeheal/common/random.h"
#include "kubeheal/controllers/action_executor.h"
#include "kubeheal/controllers/cached_kube_operations.h"
#include "kubeheal/controllers/fault_scenario_reconciler.h"
#include "kubeheal/controllers/healing_policy_reconciler.h"
#include "kubeheal/controllers/kube_client_operations.h"
#include "kubeheal/kube/controller.h"
#include "kubeheal/kube/cpprest_transport.h"
#include "kubeheal/kube/health_server.h"
#include "kubeheal/kube/informer.h"
#include "kubeheal/kube/kube_metrics.h"
#include "kubeheal/kube/kubeconfig.h"
#include "kubeheal/kube/leader_elector.h"
#include "kubeheal/kube/manager.h"
#include "kubeheal/kube/max_of_rate_limiter.h"
#include "kubeheal/kube/proc_fs_process_info_source.h"
#include "kubeheal/kube/process_collector.h"
#include "kubeheal/policy/decision_engine.h"
#include "kubeheal/prom/prometheus_client_impl.h"

namespace kubeheal::cmd {

using controllers::KubeClientOperations;

struct OperatorApp::Parts {
  std::shared_ptr<prometheus::Registry> registry;
  std::shared_ptr<kube::KubeMetrics> kube_metrics;
  std::shared_ptr<kube::Client> client;
  std::shared_ptr<controllers::CachedKubeOperations> kube_ops;
  std::shared_ptr<controllers::HealingPolicyReconciler> policies;
  std::shared_ptr<controllers::FaultScenarioReconciler> scenarios;
  std::vector<std::unique_ptr<kube::Informer>> informers;
  std::shared_ptr<kube::WorkQueue> policy_queue;
  std::shared_ptr<kube::WorkQueue> scenario_queue;
  std::unique_ptr<kube::Controller> policy_controller;
  std::unique_ptr<kube::Controller> scenario_controller;
  std::unique_ptr<kube::HealthServer> metrics_server;
  std::unique_ptr<kube::HealthServer> health_server;
};

namespace {

// A duration flag that must be above zero; the error names the flag and the value.
Result<std::chrono::nanoseconds> PositiveDuration(const std::string& flag,
                                                  const std::string& value) {
  auto d = api::ParseDuration(value);
  if (!d.ok() || d->count() <= 0) {
    return Error::Terminal(
        "InvalidFlag", flag + " \"" + value +
                           "\": " + (d.ok() ? std::string("must be positive") : d.error().message));
  }
  return std::chrono::duration_cast<std::chrono::nanoseconds>(*d);
}

std::string Hostname() {
  char buf[256] = {0};
  gethostname(buf, sizeof buf - 1);
  return buf;
}

}  // namespace

OperatorApp::OperatorApp(OperatorFlags flags, std::shared_ptr<Clock> clock)
    : flags_(std::move(flags)), clock_(std::move(clock)), parts_(std::make_unique<Parts>()) {}

OperatorApp::~OperatorApp() = default;

Status OperatorApp::Init() {
  auto& p = *parts_;
  p.registry = std::make_shared<prometheus::Registry>();
  p.kube_metrics = std::make_shared<kube::KubeMetrics>(p.registry);
  auto config = kube::LoadDefaultConfig(flags_.kubeconfig);
  if (!config.ok()) return config.error();
  // No alert webhook may point at the API server, by the address the operator reaches it at
  // (in a pod, the kubernetes Service) or the one the pod environment names.
  if (auto server = controllers::ParseWebhookUrl(config->server); server.ok()) {
    apiserver_hosts_.push_back(server->host);
  }
  // Read while starting, before the operator's threads exist.
  // NOLINTNEXTLINE(concurrency-mt-unsafe)
  if (const char* host = std::getenv("KUBERNETES_SERVICE_HOST"); host != nullptr && *host != 0) {
    apiserver_hosts_.emplace_back(host);
  }
  auto transport = kube::CpprestTransport::Create(*config);
  if (!transport.ok()) return transport.error();
  p.client = std::make_shared<kube::Client>(*transport, p.kube_metrics);
  auto events =
      std::make_shared<kube::EventRecorder>(p.client, clock_, "kubeheal-operator", Hostname());
  // Reads come from the informers' caches (sources added below), writes go to the API.
  p.kube_ops = std::make_shared<controllers::CachedKubeOperations>(
      std::make_shared<KubeClientOperations>(p.client, events), clock_);

  prom::PrometheusClientOptions prom_options;
  prom_options.url = flags_.prometheus_url;
  auto prom_timeout = PositiveDuration("--prometheus-timeout", flags_.prometheus_timeout);
  if (!prom_timeout.ok()) return prom_timeout.error();
  prom_options.request_timeout =
      std::chrono::duration_cast<std::chrono::milliseconds>(*prom_timeout);
  prom_options.max_response_bytes = static_cast<size_t>(flags_.prometheus_max_response_bytes);
  prom_options.max_concurrent_queries = flags_.prometheus_max_concurrent_queries;
  auto prometheus = prom::PrometheusClientImpl::Create(prom_options);
  if (!prometheus.ok()) return prometheus.error();
  std::shared_ptr<prom::PrometheusClient> prom_client = std::move(*prometheus);

  controllers::AgentSettings agent_settings;
  agent_settings.default_admin_port = flags_.agent_admin_port;
  agent_settings.secret_name = flags_.agent_token_secret;
  agent_settings.release_namespace = flags_.release_namespace;
  if (!flags_.agent_token_file.empty()) {
    std::ifstream in(flags_.agent_token_file);
    if (!in) {
      return Error::Terminal("InvalidFlag",
                             "--agent-token-file " + flags_.agent_token_file + ": cannot read");
    }
    std::stringstream ss;
    ss << in.rdbuf();
    std::string token = ss.str();
    token.erase(token.find_last_not_of(" \t\r\n") + 1);
    agent_settings.fallback_token = token;
  }
  Log().Info("agent tokens", {{"secret", agent_settings.secret_name},
                              {"fallback_namespace", agent_settings.fallback_token.empty()
                                                         ? std::string("none")
                                                         : agent_settings.release_namespace}});
  auto agent_client = std::make_shared<agentclient::AgentClientImpl>(std::chrono::seconds(5));
  auto targets = std::make_shared<controllers::AgentTargets>(p.kube_ops, agent_settings);
  auto metrics = std::make_shared<controllers::OperatorMetrics>(p.registry);
  auto registry = std::make_shared<controllers::ScenarioRegistry>();
  controllers::WebhookTargetOptions webhook_options;
  webhook_options.allowed = flags_.alert_webhook_allow;
  webhook_options.denied_cidrs = flags_.alert_webhook_deny_cidrs;
  webhook_options.apiserver_hosts = apiserver_hosts_;
  auto webhook_targets = controllers::WebhookTargetPolicy::Create(webhook_options);
  if (!webhook_targets.ok()) return webhook_targets.error();
  // The logger's fields are JSON: the lists go in as arrays.
  Log().Info("alert webhooks", {{"allow", flags_.alert_webhook_allow.empty()
                                              ? nlohmann::json("any address not refused")
                                              : nlohmann::json(flags_.alert_webhook_allow)},
                                {"deny_cidrs", flags_.alert_webhook_deny_cidrs}});
  auto ttl = api::ParseDuration(flags_.fault_ttl);
  if (!ttl.ok()) return Error::Terminal("InvalidFlag", "--fault-ttl: " + ttl.error().message);
  // Throttles and circuits carry the faults' ttl too (at least 3 intervals of their policy),
  // renewed at every evaluation: they end by themselves once the operator is gone.
  controllers::ActionExecutorOptions executor_options;
  executor_options.effect_ttl = std::chrono::duration_cast<std::chrono::seconds>(*ttl);
  auto executor = std::make_shared<controllers::ActionExecutor>(
      p.kube_ops, agent_client, targets,
      std::make_shared<controllers::WebhookAlertSender>(std::move(*webhook_targets)), clock_,
      executor_options);
  policy::EngineOptions engine_options;
  engine_options.protected_namespaces = flags_.protected_namespaces;
  engine_options.action_namespaces = flags_.action_namespaces;
  auto engine = std::make_shared<policy::DecisionEngine>(
      clock_, std::make_shared<policy::GlobalBudget>(flags_.max_actions_per_hour), engine_options);
  controllers::HealingPolicyReconcilerOptions policy_options;
  policy_options.max_series_per_signal = static_cast<size_t>(flags_.max_series_per_signal);
  policy_options.failpoint = flags_.failpoint;
  if (!flags_.failpoint.empty()) {
    Log().Warn("test failpoint set: this process SIGKILLs itself there",
               {{"failpoint", flags_.failpoint}});
  }
  auto refresh = api::ParseDuration(flags_.status_refresh);
  if (!refresh.ok()) {
    return Error::Terminal("InvalidFlag", "--status-refresh: " + refresh.error().message);
  }
  policy_options.status_refresh = std::chrono::duration_cast<std::chrono::seconds>(*refresh);
  p.policies = std::make_shared<controllers::HealingPolicyReconciler>(
      p.kube_ops, prom_client, engine, executor, registry, metrics, clock_,
      std::make_shared<ThreadLocalRandomSource>(), policy_options);
  controllers::FaultScenarioReconcilerOptions scenario_options;
  auto renew = api::ParseDuration(flags_.fault_renew);
  if (!renew.ok()) return Error::Terminal("InvalidFlag", "--fault-renew: " + renew.error().message);
  scenario_options.fault_ttl = std::chrono::duration_cast<std::chrono::seconds>(*ttl);
  scenario_options.protected_namespaces = flags_.protected_namespaces;
  scenario_options.action_namespaces = flags_.action_namespaces;
  scenario_options.renew_period = std::chrono::duration_cast<std::chrono::seconds>(*renew);
  if (scenario_options.renew_period.count() < 1 ||
      scenario_options.fault_ttl <= scenario_options.renew_period) {
    return Error::Terminal("InvalidFlag",
                           "--fault-renew must be at least 1s and below --fault-ttl");
  }
  p.scenarios = std::make_shared<controllers::FaultScenarioReconciler>(
      p.kube_ops, agent_client, targets, registry, metrics, clock_, scenario_options);

  // One retry policy: the kube library's controller limiter, its per-item range from the flags.
  kube::ControllerRateLimiterOptions retry;
  auto base = PositiveDuration("--retry-base-delay", flags_.retry_base_delay);
  if (!base.ok()) return base.error();
  auto max = PositiveDuration("--retry-max-delay", flags_.retry_max_delay);
  if (!max.ok()) return max.error();
  retry.base_delay = *base;
  retry.max_delay = *max;
  if (retry.max_delay < retry.base_delay) {
    return Error::Terminal("InvalidFlag", "--retry-max-delay must not be below --retry-base-delay");
  }
  p.policy_queue = std::make_shared<kube::WorkQueue>(
      "healingpolicy", clock_, kube::DefaultControllerRateLimiter(clock_, retry), p.kube_metrics);
  p.scenario_queue = std::make_shared<kube::WorkQueue>(
      "faultscenario", clock_, kube::DefaultControllerRateLimiter(clock_, retry), p.kube_metrics);
  std::vector<std::string> namespaces = flags_.namespaces;
  if (namespaces.empty()) namespaces.push_back("");
  std::weak_ptr<kube::WorkQueue> policy_queue = p.policy_queue;
  std::weak_ptr<kube::WorkQueue> scenario_queue = p.scenario_queue;
  // An informer per kind and watched namespace. The two custom kinds queue their objects; the
  // others only keep the caches the reconcilers read (policies are re-evaluated on their interval).
  auto inform = [&](const std::string& kind, const std::string& ns,
                    const kube::ReflectorOptions& options,
                    const std::weak_ptr<kube::WorkQueue>& queue) {
    auto informer = std::make_unique<kube::Informer>(p.client, options, clock_, p.kube_metrics);
    if (queue.lock()) {
      auto enqueue = [queue](const kube::ObjectPtr& obj) {
        if (auto q = queue.lock()) q->Add(kube::ObjectCache::KeyOf(*obj));
      };
      informer->AddHandlers(
          {enqueue, [enqueue](const kube::ObjectPtr&, const kube::ObjectPtr& n) { enqueue(n); },
           enqueue});
    }
    const kube::Informer* raw = informer.get();
    p.kube_ops->AddSource(kind, {ns, [raw] { return raw->HasSynced(); }, &raw->cache()});
    p.informers.push_back(std::move(informer));
  };
  for (const auto& ns : namespaces) {
    kube::ReflectorOptions options;
    options.namespace_ = ns;
    options.resource = KubeClientOperations::CustomResource("HealingPolicy");
    inform("HealingPolicy", ns, options, policy_queue);
    options.resource = KubeClientOperations::CustomResource("FaultScenario");
    inform("FaultScenario", ns, options, scenario_queue);
    options.resource = kube::GroupVersionResource::Pods();
    inform("Pod", ns, options, {});
    options.resource = kube::GroupVersionResource::Deployments();
    inform("Deployment", ns, options, {});
    options.resource = kube::GroupVersionResource::StatefulSets();
    inform("StatefulSet", ns, options, {});
  }
  auto policies = p.policies;
  auto scenarios = p.scenarios;
  p.policy_controller = std::make_unique<kube::Controller>(
      "healingpolicy", p.policy_queue,
      [policies](const std::string& key) { return policies->Reconcile(key); }, flags_.workers,
      clock_, p.kube_metrics);
  p.scenario_controller = std::make_unique<kube::Controller>(
      "faultscenario", p.scenario_queue,
      [scenarios](const std::string& key) { return scenarios->Reconcile(key); }, flags_.workers,
      clock_, p.kube_metrics);

  p.metrics_server = std::make_unique<kube::HealthServer>(flags_.metrics_addr, p.registry);
  p.metrics_server->AddCollectable(
      std::make_shared<kube::ProcessCollector>(std::make_shared<kube::ProcFsProcessInfoSource>()));
  p.health_server = std::make_unique<kube::HealthServer>(flags_.health_addr);
  p.health_server->AddHealthCheck("process", [] { return Status::Ok(); });
  Parts* parts = parts_.get();
  p.health_server->AddReadyCheck("informers", [parts] {
    for (const auto& i : parts->informers) {
      if (!i->HasSynced()) return Status(Error::Retryable("NotSynced", "informers not synced"));
    }
    return Status::Ok();
  });
  return Status::Ok();
}

int OperatorApp::Run(kube::CancelToken& stop) {
  auto& p = *parts_;
  kube::Election election;
  if (flags_.leader_elect) {
    kube::LeaderElectionConfig config;
    config.lease_namespace = flags_.leader_election_namespace;
    config.lease_name = flags_.leader_election_id;
    config.identity = Hostname() + "_" + std::to_string(getpid()) + "_" +
                      std::to_string(ThreadLocalRandomSource().NextBelow(100000));
    election = kube::LeaseElection(p.client, config, clock_);
  }
  kube::Manager manager(std::move(election));
  // Every replica serves its endpoints and keeps its caches warm, so a standby is observable and
  // takes over at once; only the leader reconciles.
  auto server = [](const std::string& name, const std::string& addr, kube::HealthServer* s) {
    return kube::Runnable{
        name,
        [=] {
          Status started = s->Start();
          if (!started.ok()) {
            return Status(Error::Terminal("ListenFailed",
                                          name + " " + addr + ": " + started.error().message));
          }
          return Status::Ok();
        },
        [s] { s->Stop(); }};
  };
  manager.Add(server("metrics endpoint", flags_.metrics_addr, p.metrics_server.get()));
  manager.Add(server("health endpoint", flags_.health_addr, p.health_server.get()));
  manager.Add({"informers",
               [&p] {
                 for (auto& i : p.informers) i->Start();
                 for (auto& i : p.informers) {
                   if (!i->WaitForSync(std::chrono::seconds(60))) {
                     Log().Warn("informer not synced after 60s; continuing (it keeps retrying)");
                   }
                 }
                 Log().Info("informers synced", {{"count", p.informers.size()}});
                 return Status::Ok();
               },
               [&p] {
                 for (auto& i : p.informers) i->Stop();
               }});
  auto leader_only = [](const std::string& name, kube::Controller* c) {
    return kube::Runnable{name,
                          [c] {
                            c->Start();
                            return Status::Ok();
                          },
                          [c] { c->Stop(); }};
  };
  manager.AddLeaderOnly(leader_only("healingpolicy controller", p.policy_controller.get()));
  manager.AddLeaderOnly(leader_only("faultscenario controller", p.scenario_controller.get()));
  const auto outcome = manager.Run(stop);
  Log().Info("stopped", {{"leadership_lost", outcome == kube::Manager::Outcome::kLeadershipLost}});
  return outcome == kube::Manager::Outcome::kStopped ? 0 : 1;
}

}  // namespace kubeheal::cmd
