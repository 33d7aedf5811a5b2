#pragma once

#include <functional>
#include <string>
#include <vector>

#include "kubeheal/common/result.h"

namespace kubeheal::cmd {

// The flags of kubeheal-operator (docs/contracts.md). Each flag may also be given as the
// environment variable KUBEHEAL_<FLAG_IN_CAPS> (dashes as underscores); the command line wins.
struct OperatorFlags {
  std::string kubeconfig;
  std::string prometheus_url = "http://127.0.0.1:9090";
  // Limits on what one Prometheus answer may cost (issue 16 item 7).
  std::string prometheus_timeout = "15s";        // whole call, body included
  int prometheus_max_response_bytes = 16 << 20;  // 16 MiB
  int prometheus_max_concurrent_queries = 4;
  int max_series_per_signal = 1000;
  std::vector<std::string> namespaces;  // empty: all
  bool leader_elect = false;
  std::string leader_election_namespace = "kube-system";
  std::string leader_election_id = "kubeheal-operator";
  std::string metrics_addr = ":8080";
  std::string health_addr = ":8081";
  std::string agent_token_file;
  std::string agent_token_secret = "kubeheal-agent-token";  // per namespace, key "token"
  // The operator's own namespace, the only one where --agent-token-file is used; default
  // $POD_NAMESPACE (the chart's downward-API variable).
  std::string release_namespace;
  int agent_admin_port = 9901;
  std::vector<std::string> protected_namespaces = {"kube-system"};
  // Non-empty: act (heal, inject) only in these; elsewhere policies alert only.
  std::vector<std::string> action_namespaces;
  int max_actions_per_hour = 0;  // 0: no global budget
  std::string log_format = "text";
  std::string log_level = "info";
  int workers = 4;
  std::string fault_ttl = "30s";
  std::string fault_renew = "10s";
  std::string status_refresh = "30s";
  // A failed reconcile is retried after a per-item delay doubling from the base to the max
  // (kube::DefaultControllerRateLimiter, with its 10 qps / 100 burst bucket).
  std::string retry_base_delay = "500ms";
  std::string retry_max_delay = "60s";
  // Alert webhooks (controllers::WebhookTargetPolicy): hosts/CIDRs a webhook may reach (empty:
  // any address not refused), and the cluster's Service and Pod ranges, refused by default.
  std::vector<std::string> alert_webhook_allow;
  std::vector<std::string> alert_webhook_deny_cidrs;

  // Test hook: the operator SIGKILLs itself at this point (HealingPolicyReconcilerOptions).
  std::string failpoint;

  static std::string Usage();
};

using EnvLookup = std::function<std::string(const std::string&)>;

// Parses argv (after the program name). Unknown flags and bad values are errors naming them.
Result<OperatorFlags> ParseOperatorFlags(const std::vector<std::string>& args,
                                         const EnvLookup& env);

std::vector<std::string> SplitList(const std::string& csv);

}  // namespace kubeheal::cmd
