#include "kubeheal/controllers/action_executor.h"

#include <algorithm>
#include <cmath>

#include "kubeheal/common/logger.h"

namespace kubeheal::controllers {

using policy::ActionType;

ActionExecutor::ActionExecutor(std::shared_ptr<KubeOperations> kube,
                               std::shared_ptr<agentclient::AgentClient> agents,
                               std::shared_ptr<AgentTargets> targets,
                               std::shared_ptr<AlertSender> alerts,
                               std::shared_ptr<const Clock> clock, ActionExecutorOptions options)
    : kube_(std::move(kube)),
      agents_(std::move(agents)),
      targets_(std::move(targets)),
      alerts_(std::move(alerts)),
      clock_(std::move(clock)),
      options_(options) {}

std::chrono::seconds ActionExecutor::EffectTtl(const api::HealingPolicy& policy) const {
  const auto three_intervals = std::chrono::ceil<std::chrono::seconds>(3 * policy.spec.interval);
  return std::max(options_.effect_ttl, three_intervals);
}

Result<std::string> ActionExecutor::Resume(const policy::Decision& d, const ActionTarget& target) {
  // Every action is idempotent by its decision (the same throttle or circuit again is a renewal,
  // a scale goes to the decision's replicas, a rolling restart sets the decision's time, an
  // alert sends the same startsAt), except the eviction of the least healthy pod: a pod that is
  // new since the decision (or going) means an earlier process already evicted one.
  if (d.action == ActionType::kRestart && !d.revert &&
      d.parameters.restart_mode != policy::RestartMode::kRolling) {
    for (const auto& pod : target.pods) {
      const auto& meta = pod["metadata"];
      const auto created = ParseRfc3339(meta.value("creationTimestamp", ""));
      if (meta.contains("deletionTimestamp") || (created && *created >= d.decided_at)) {
        return "restart of " + d.id + " already carried out: pod " + meta.value("name", "") +
               (meta.contains("deletionTimestamp") ? " is being deleted" : " is new since");
      }
    }
  }
  return Execute(d, target);
}

bool ActionExecutor::Renewable(const policy::TemporaryAction& applied) {
  return !applied.dry_run &&
         (applied.action == ActionType::kThrottle || applied.action == ActionType::kCircuitBreak);
}

Result<std::string> ActionExecutor::Renew(const policy::TemporaryAction& applied,
                                          const ActionTarget& target) {
  if (!Renewable(applied)) return std::string("nothing to renew");
  policy::Decision d;
  d.id = applied.decision_id;
  d.rule = applied.rule;
  d.action = applied.action;
  d.parameters = applied.parameters;
  return Execute(d, target);
}

Result<std::string> ActionExecutor::OnEveryAgent(const ActionTarget& target,
                                                 const std::string& what, const AgentCall& call) {
  const std::string ns = target.policy->metadata.namespace_;
  auto resolved = targets_->Resolve(ns, target.pods);
  if (!resolved.ok()) return resolved.error();
  if (resolved->empty()) {
    return Error::Retryable("NoTargets", what + ": no running pod with an IP to act on");
  }
  int ok = 0;
  std::string failures;
  bool any_retryable = false;
  for (const auto& t : *resolved) {
    auto s = call(t.endpoint);
    if (s.ok()) {
      ++ok;
    } else {
      any_retryable = any_retryable || s.error().retryable();
      failures += (failures.empty() ? "" : "; ") + t.pod + ": " + s.error().message;
    }
  }
  const std::string summary = what + " on " + std::to_string(ok) + "/" +
                              std::to_string(resolved->size()) + " pods" +
                              (failures.empty() ? "" : " (failed: " + failures + ")");
  if (ok == 0) {
    return any_retryable ? Error::Retryable("AgentActionFailed", summary)
                         : Error::Terminal("AgentActionFailed", summary);
  }
  return summary;
}

Result<std::string> ActionExecutor::Scale(const policy::Decision& d, const ActionTarget& target) {
  const auto& p = *target.policy;
  const auto& kind = p.spec.target_ref.kind;
  const auto& name = p.spec.target_ref.name;
  const auto& ns = p.metadata.namespace_;
  auto current = kube_->GetReplicas(kind, ns, name);
  if (!current.ok()) return current.error();
  int to = d.parameters.to_replicas;
  if (to <= 0 && !d.revert) to = *current + static_cast<int>(p.spec.actions.scale.step);
  to = std::clamp<int>(to, static_cast<int>(p.spec.actions.scale.min_replicas),
                       static_cast<int>(p.spec.actions.scale.max_replicas));
  if (to == *current) {
    return std::string("scale: already at " + std::to_string(to) + " replicas");
  }
  auto s = kube_->SetReplicas(kind, ns, name, to);
  if (!s.ok()) return s.error();
  return "scaled " + kind + " " + name + " from " + std::to_string(*current) + " to " +
         std::to_string(to) + " replicas";
}

Result<std::string> ActionExecutor::Restart(const policy::Decision& d, const ActionTarget& target) {
  const auto& p = *target.policy;
  const auto& ns = p.metadata.namespace_;
  if (d.parameters.restart_mode == policy::RestartMode::kRolling) {
    // The annotation's value is the decision's time, not now: carrying the same decision out
    // again (a new leader resuming it) sets the same value, and the controller does not roll
    // the pods a second time.
    auto s = kube_->RolloutRestart(p.spec.target_ref.kind, ns, p.spec.target_ref.name,
                                   FormatRfc3339(d.decided_at));
    if (!s.ok()) return s.error();
    return "rolling restart of " + p.spec.target_ref.kind + " " + p.spec.target_ref.name;
  }
  // One pod: the least healthy (not ready first, then most restarts).
  const Json* worst = nullptr;
  int worst_score = -1;
  for (const auto& pod : target.pods) {
    if (pod["metadata"].contains("deletionTimestamp")) continue;
    int score = 0;
    const auto& statuses =
        pod.value("status", Json::object()).value("containerStatuses", Json::array());
    for (const auto& cs : statuses) {
      score += cs.value("restartCount", 0);
      if (!cs.value("ready", true)) score += 1000;
    }
    if (score > worst_score) {
      worst_score = score;
      worst = &pod;
    }
  }
  if (worst == nullptr) return Error::Retryable("NoTargets", "restart: no pod to evict");
  const std::string pod = (*worst)["metadata"].value("name", "");
  auto s = kube_->EvictPod(ns, pod);
  if (!s.ok()) return s.error();
  return "evicted pod " + pod;
}

Result<std::string> ActionExecutor::Alert(const policy::Decision& d, const ActionTarget& target) {
  const auto& p = *target.policy;
  std::string summary = "kubeheal: " + d.reason;
  std::string detail;
  for (const auto& e : d.evidence) {
    detail += (detail.empty() ? "" : "; ") + e.signal + "=" + std::to_string(e.value) +
              " expected [" + std::to_string(e.expected_low) + ", " +
              std::to_string(e.expected_high) + "]";
  }
  auto ev = kube_->RecordEvent(target.workload, "Warning", "HealingAlert",
                               summary + (detail.empty() ? "" : " (" + detail + ")"));
  if (!ev.ok()) return ev.error();
  const std::string url = d.parameters.webhook_url.empty() ? p.spec.actions.alert.webhook_url
                                                           : d.parameters.webhook_url;
  if (url.empty()) return std::string("alert recorded as an Event");
  Json labels = {{"alertname", "KubehealAnomaly"},
                 {"namespace", p.metadata.namespace_},
                 {"healingpolicy", p.metadata.name},
                 {"workload", p.spec.target_ref.name},
                 {"rule", d.rule},
                 {"severity", p.spec.actions.alert.severity}};
  for (const auto& [k, v] : p.spec.actions.alert.labels) labels[k] = v;
  const Json alerts =
      Json::array({{{"labels", labels},
                    {"annotations", {{"summary", summary}, {"description", detail}}},
                    {"startsAt", FormatRfc3339(d.decided_at)},
                    {"generatorURL", ""}}});
  // The status gets "delivered" or "failed: <reason>", the reason bounded by the sender: the
  // URL is a tenant's, and what its target answered is all they learn.
  auto s = alerts_->Send(url, alerts);
  if (!s.ok()) {
    Error e = s.error();
    e.message = "alert recorded as an Event; webhook failed: " + e.message;
    return e;
  }
  return std::string("alert recorded as an Event; webhook delivered");
}

Result<std::string> ActionExecutor::Execute(const policy::Decision& d, const ActionTarget& target) {
  const auto& actions = target.policy->spec.actions;
  switch (d.action) {
    case ActionType::kThrottle: {
      if (d.revert) {
        return OnEveryAgent(target, "throttle removed",
                            [&](const auto& ep) { return agents_->ClearThrottle(ep); });
      }
      agentclient::ThrottleCommand cmd;
      cmd.rps = d.parameters.rps > 0 ? d.parameters.rps : static_cast<double>(actions.throttle.rps);
      cmd.burst = d.parameters.burst > 0 ? d.parameters.burst : actions.throttle.burst;
      // A short ttl the operator renews, never past maxDuration: the throttle ends by itself
      // soon after the operator stops renewing it.
      auto ttl = std::chrono::duration<double>(EffectTtl(*target.policy));
      if (actions.throttle.max_duration.count() > 0) {
        ttl = std::min(ttl, std::chrono::duration<double>(actions.throttle.max_duration));
      }
      cmd.ttl_seconds = ttl.count();
      return OnEveryAgent(target,
                          "throttled to " + std::to_string(static_cast<int>(cmd.rps)) + " rps",
                          [&](const auto& ep) { return agents_->SetThrottle(ep, cmd); });
    }
    case ActionType::kCircuitBreak: {
      if (d.revert) {
        return OnEveryAgent(target, "circuit closed", [&](const auto& ep) {
          return agents_->SetCircuit(ep, agentclient::CircuitCommand{"closed"});
        });
      }
      agentclient::CircuitCommand cmd;
      cmd.mode = "auto";
      const auto open = d.parameters.circuit_duration.count() > 0
                            ? std::chrono::duration<double>(d.parameters.circuit_duration)
                            : std::chrono::duration<double>(actions.circuit_break.duration);
      cmd.open_seconds = open.count();
      cmd.half_open_probes = d.parameters.half_open_probes > 0
                                 ? d.parameters.half_open_probes
                                 : static_cast<int>(actions.circuit_break.half_open_probes);
      // Renewed like the throttle's; at its end the agent goes back to what it had before.
      cmd.ttl_seconds = std::chrono::duration<double>(EffectTtl(*target.policy)).count();
      return OnEveryAgent(target, "circuit breaker armed",
                          [&](const auto& ep) { return agents_->SetCircuit(ep, cmd); });
    }
    case ActionType::kScale:
      return Scale(d, target);
    case ActionType::kRestart:
      return Restart(d, target);
    case ActionType::kAlert:
      return Alert(d, target);
  }
  return Error::Terminal("UnknownAction", "unknown action");
}

}  // namespace kubeheal::controllers
