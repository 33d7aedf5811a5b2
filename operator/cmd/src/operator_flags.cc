#include "operator_flags.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <optional>
#include <stdexcept>

namespace kubeheal::cmd {
namespace {

enum class FlagType { kString, kBool, kInt, kList };

struct FlagDef {
  FlagType type;
  void* target;
};

std::string EnvName(const std::string& flag) {
  std::string out = "KUBEHEAL_";
  for (char c : flag) out += c == '-' ? '_' : static_cast<char>(std::toupper(c));
  return out;
}

Status Assign(const std::string& name, const FlagDef& def, const std::string& value,
              const std::string& origin) {
  switch (def.type) {
    case FlagType::kString:
      *static_cast<std::string*>(def.target) = value;
      return Status::Ok();
    case FlagType::kList:
      *static_cast<std::vector<std::string>*>(def.target) = SplitList(value);
      return Status::Ok();
    case FlagType::kBool:
      if (value == "true" || value == "1" || value.empty()) {
        *static_cast<bool*>(def.target) = true;
      } else if (value == "false" || value == "0") {
        *static_cast<bool*>(def.target) = false;
      } else {
        return Error::Terminal(
            "InvalidFlag",
            origin + " --" + name + ": expected true or false, got \"" + value + "\"");
      }
      return Status::Ok();
    case FlagType::kInt:
      try {
        size_t used = 0;
        const int v = std::stoi(value, &used);
        if (used != value.size() || v < 0) throw std::invalid_argument(value);
        *static_cast<int*>(def.target) = v;
      } catch (const std::exception&) {
        return Error::Terminal(
            "InvalidFlag",
            origin + " --" + name + ": expected a non-negative integer, got \"" + value + "\"");
      }
      return Status::Ok();
  }
  return Status::Ok();
}

}  // namespace

std::vector<std::string> SplitList(const std::string& csv) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= csv.size()) {
    const size_t comma = csv.find(',', start);
    std::string item =
        csv.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    item.erase(0, item.find_first_not_of(" \t"));
    item.erase(item.find_last_not_of(" \t") + 1);
    if (!item.empty()) out.push_back(item);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

std::string OperatorFlags::Usage() {
  return R"(usage: kubeheal-operator [flags]   (each flag also as env KUBEHEAL_<FLAG_IN_CAPS>)
  --kubeconfig PATH                 default: in-cluster, then $KUBECONFIG, then ~/.kube/config
  --prometheus-url URL              Prometheus (or Thanos/Mimir) HTTP API, default http://127.0.0.1:9090
  --prometheus-timeout DURATION     deadline of one query, the whole answer read, default 15s
  --prometheus-max-response-bytes N larger answers are refused (ResponseTooLarge), default 16777216
  --prometheus-max-concurrent-queries N
                                    queries in flight to Prometheus at once, default 4
  --max-series-per-signal N         a signal whose query returns more series is not used
                                    (condition QueriesValid=False, TooManySeries), default 1000
  --namespaces a,b                  namespaces to watch (empty: all)
  --leader-elect                    campaign for a coordination.k8s.io Lease before acting
  --leader-election-namespace NS    default kube-system
  --leader-election-id NAME         default kubeheal-operator
  --metrics-addr HOST:PORT          /metrics, default :8080
  --health-addr HOST:PORT           /healthz /readyz, default :8081
  --agent-token-secret NAME         Secret (key "token") with the agents' admin token in each namespace
                                    the operator acts in, default kubeheal-agent-token
  --agent-token-file FILE           agent admin token of the release namespace when it has no such
                                    Secret (never used for any other namespace)
  --release-namespace NS            the operator's own namespace, default $POD_NAMESPACE; needed
                                    with --agent-token-file
  --agent-admin-port N              default 9901 (pods may override with annotation kubeheal.io/agent-admin-port)
  --protected-namespaces a,b        never act there, default kube-system
  --action-namespaces a,b           act only there (empty: every watched namespace not protected);
                                    elsewhere policies only alert and FaultScenarios are refused
  --max-actions-per-hour N          global action budget (0: none)
  --log-format text|json            default text
  --log-level debug|info|warn|error default info
  --workers N                       reconcile workers per controller, default 4
  --fault-ttl DURATION              expiry of pushed faults, and of throttles and circuits (at least
                                    3 intervals of their policy), renewed while in effect, default 30s
  --fault-renew DURATION            renewal period of faults, default 10s
  --status-refresh DURATION         rewrite a policy status whose only changes are live figures
                                    (values, bands, scores) at most this often, default 30s (0s: every evaluation)
  --retry-base-delay DURATION       first retry of a failed reconcile, doubled per failure, default 500ms
  --retry-max-delay DURATION        longest delay between retries of one object, default 60s
  --alert-webhook-allow a,b         hosts (name or *.domain) and CIDRs an alert webhookURL may reach; an
                                    entry wins over the refusals below (default empty: any other address)
  --alert-webhook-deny-cidrs a,b    the cluster's Service and Pod ranges: no webhook reaches them unless
                                    allowed; loopback, link-local, multicast and the API server always refused
  --failpoint NAME                  tests only: SIGKILL itself at after-action-recorded or
                                    after-action-executed (a leader lost mid-action)
)";
}

Result<OperatorFlags> ParseOperatorFlags(const std::vector<std::string>& args,
                                         const EnvLookup& env) {
  OperatorFlags f;
  const std::map<std::string, FlagDef> defs = {
      {"kubeconfig", {FlagType::kString, &f.kubeconfig}},
      {"prometheus-url", {FlagType::kString, &f.prometheus_url}},
      {"prometheus-timeout", {FlagType::kString, &f.prometheus_timeout}},
      {"prometheus-max-response-bytes", {FlagType::kInt, &f.prometheus_max_response_bytes}},
      {"prometheus-max-concurrent-queries", {FlagType::kInt, &f.prometheus_max_concurrent_queries}},
      {"max-series-per-signal", {FlagType::kInt, &f.max_series_per_signal}},
      {"namespaces", {FlagType::kList, &f.namespaces}},
      {"leader-elect", {FlagType::kBool, &f.leader_elect}},
      {"leader-election-namespace", {FlagType::kString, &f.leader_election_namespace}},
      {"leader-election-id", {FlagType::kString, &f.leader_election_id}},
      {"metrics-addr", {FlagType::kString, &f.metrics_addr}},
      {"health-addr", {FlagType::kString, &f.health_addr}},
      {"agent-token-file", {FlagType::kString, &f.agent_token_file}},
      {"agent-token-secret", {FlagType::kString, &f.agent_token_secret}},
      {"release-namespace", {FlagType::kString, &f.release_namespace}},
      {"agent-admin-port", {FlagType::kInt, &f.agent_admin_port}},
      {"protected-namespaces", {FlagType::kList, &f.protected_namespaces}},
      {"action-namespaces", {FlagType::kList, &f.action_namespaces}},
      {"max-actions-per-hour", {FlagType::kInt, &f.max_actions_per_hour}},
      {"log-format", {FlagType::kString, &f.log_format}},
      {"log-level", {FlagType::kString, &f.log_level}},
      {"workers", {FlagType::kInt, &f.workers}},
      {"fault-ttl", {FlagType::kString, &f.fault_ttl}},
      {"fault-renew", {FlagType::kString, &f.fault_renew}},
      {"status-refresh", {FlagType::kString, &f.status_refresh}},
      {"retry-base-delay", {FlagType::kString, &f.retry_base_delay}},
      {"retry-max-delay", {FlagType::kString, &f.retry_max_delay}},
      {"alert-webhook-allow", {FlagType::kList, &f.alert_webhook_allow}},
      {"alert-webhook-deny-cidrs", {FlagType::kList, &f.alert_webhook_deny_cidrs}},
      {"failpoint", {FlagType::kString, &f.failpoint}},
  };
  for (const auto& [name, def] : defs) {
    const std::string value = env ? env(EnvName(name)) : "";
    if (value.empty()) continue;
    auto s = Assign(name, def, value, "env " + EnvName(name) + ":");
    if (!s.ok()) return s.error();
  }
  for (size_t i = 0; i < args.size(); ++i) {
    std::string arg = args[i];
    if (arg == "-h" || arg == "--help") return Error::Terminal("Help", OperatorFlags::Usage());
    if (arg.rfind("--", 0) != 0) {
      return Error::Terminal("InvalidFlag", "unexpected argument \"" + arg + "\"");
    }
    arg = arg.substr(2);
    std::optional<std::string> value;
    if (const auto eq = arg.find('='); eq != std::string::npos) {
      value = arg.substr(eq + 1);
      arg = arg.substr(0, eq);
    }
    auto it = defs.find(arg);
    if (it == defs.end()) {
      return Error::Terminal("InvalidFlag",
                             "unknown flag --" + arg + "\n" + OperatorFlags::Usage());
    }
    if (!value) {
      if (it->second.type == FlagType::kBool) {
        value = "true";
      } else if (i + 1 < args.size()) {
        value = args[++i];
      } else {
        return Error::Terminal("InvalidFlag", "flag --" + arg + " needs a value");
      }
    }
    auto s = Assign(arg, it->second, *value, "flag");
    if (!s.ok()) return s.error();
  }
  if (f.agent_admin_port < 1 || f.agent_admin_port > 65535) {
    return Error::Terminal("InvalidFlag", "--agent-admin-port must be 1..65535");
  }
  if (f.workers < 1) return Error::Terminal("InvalidFlag", "--workers must be at least 1");
  if (f.prometheus_max_response_bytes < 1024) {
    return Error::Terminal("InvalidFlag", "--prometheus-max-response-bytes must be at least 1024");
  }
  if (f.prometheus_max_concurrent_queries < 1) {
    return Error::Terminal("InvalidFlag", "--prometheus-max-concurrent-queries must be at least 1");
  }
  if (!f.failpoint.empty() && f.failpoint != "after-action-recorded" &&
      f.failpoint != "after-action-executed") {
    return Error::Terminal("InvalidFlag", "--failpoint \"" + f.failpoint +
                                              "\": after-action-recorded or after-action-executed");
  }
  if (f.max_series_per_signal < 1) {
    return Error::Terminal("InvalidFlag", "--max-series-per-signal must be at least 1");
  }
  if (f.release_namespace.empty() && env) f.release_namespace = env("POD_NAMESPACE");
  if (!f.agent_token_file.empty() && f.release_namespace.empty()) {
    return Error::Terminal("InvalidFlag",
                           "--agent-token-file needs --release-namespace (or POD_NAMESPACE): the "
                           "token in that file is used only for that namespace's agents");
  }
  // A Secret name is a DNS subdomain: lowercase alphanumerics, '-' and '.', at most 253.
  const auto& secret = f.agent_token_secret;
  const bool secret_ok =
      !secret.empty() && secret.size() <= 253 &&
      std::all_of(secret.begin(), secret.end(),
                  [](char c) {
                    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.';
                  }) &&
      std::isalnum(static_cast<unsigned char>(secret.front())) &&
      std::isalnum(static_cast<unsigned char>(secret.back()));
  if (!secret_ok) {
    return Error::Terminal("InvalidFlag", "--agent-token-secret \"" + secret +
                                              "\" is not a valid Secret name (lowercase letters, "
                                              "digits, '-' and '.', at most 253 characters)");
  }
  return f;
}

}  // namespace kubeheal::cmd
