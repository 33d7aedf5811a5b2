#include "kubeheal/controllers/policy_actuator.h"

#include <csignal>
#include <utility>

#include "kubeheal/common/logger.h"

namespace kubeheal::controllers {

std::string ActionMetricName(const policy::Decision& d) {
  return d.revert ? std::string("revert") : std::string(policy::ActionTypeName(d.action));
}

PolicyActuator::PolicyActuator(std::shared_ptr<ActionExecutor> executor,
                               std::shared_ptr<policy::DecisionEngine> engine,
                               std::shared_ptr<KubeOperations> kube,
                               std::shared_ptr<OperatorMetrics> metrics, std::string failpoint)
    : executor_(std::move(executor)),
      engine_(std::move(engine)),
      kube_(std::move(kube)),
      metrics_(std::move(metrics)),
      failpoint_(std::move(failpoint)) {}

// The process SIGKILLs itself here, as a node loss or an OOM kill would, so the tests can prove
// what a successor does with what it left behind.
void PolicyActuator::HitFailpoint(const char* name) const {
  if (failpoint_ != name) return;
  Log().Warn("failpoint reached: SIGKILL", {{"failpoint", std::string(name)}});
  std::raise(SIGKILL);
}

void PolicyActuator::Act(const std::string& key, const Json& policy_object,
                         const std::vector<policy::Decision>& decisions, policy::PolicyState& state,
                         const ActionTarget& target) {
  HitFailpoint("after-action-recorded");
  for (const auto& d : decisions) {
    const std::string action_name = ActionMetricName(d);
    if (d.dry_run) {
      metrics_->Action(action_name, "dry_run");
      continue;
    }
    auto done = executor_->Execute(d, target);
    const auto outcome = done.ok() ? policy::Outcome::kSucceeded : policy::Outcome::kFailed;
    const std::string message = done.ok() ? *done : done.error().ToString();
    (void)engine_->ReportOutcome(state, d.id, outcome, message);
    metrics_->Action(action_name, done.ok() ? "succeeded" : "failed");
    Log().Info("action", {{"policy", key},
                          {"action", action_name},
                          {"rule", d.rule},
                          {"ok", done.ok()},
                          {"message", message}});
    if (!done.ok()) {
      (void)kube_->RecordEvent(policy_object, "Warning", "ActionFailed",
                               action_name + ": " + message);
    }
  }
  HitFailpoint("after-action-executed");
}

std::set<std::string> PolicyActuator::Resume(const std::string& key, const Json& policy_object,
                                             policy::PolicyState& state,
                                             const ActionTarget& target) {
  // An entry without an outcome was recorded by an earlier process (the record comes before the
  // action), which stopped before it reported the outcome: between recording and acting, or
  // between acting and the next write. Its decision id is the idempotency key: it is carried out
  // once more (ActionExecutor::Resume never doubles what already ran) and gets its outcome, so
  // a new leader neither repeats an action nor skips one its predecessor only decided.
  std::vector<policy::Decision> pending;
  std::set<std::string> resumed;
  for (const auto& h : state.history) {
    if (h.outcome == policy::Outcome::kPending && !h.decision.dry_run)
      pending.push_back(h.decision);
  }
  for (const auto& d : pending) {
    resumed.insert(d.id);
    const std::string action_name = ActionMetricName(d);
    auto done = executor_->Resume(d, target);
    const std::string message =
        "resumed from an earlier process: " + (done.ok() ? *done : done.error().ToString());
    (void)engine_->ReportOutcome(
        state, d.id, done.ok() ? policy::Outcome::kSucceeded : policy::Outcome::kFailed, message);
    metrics_->Action(action_name, done.ok() ? "succeeded" : "failed");
    Log().Info("resumed decision", {{"policy", key},
                                    {"decision", d.id},
                                    {"action", action_name},
                                    {"ok", done.ok()},
                                    {"message", message}});
    (void)kube_->RecordEvent(policy_object, done.ok() ? "Normal" : "Warning", "ActionResumed",
                             action_name + " (decision " + d.id + "): " + message);
  }
  return resumed;
}

void PolicyActuator::Renew(const std::string& key, const api::HealingPolicy& p,
                           const policy::PolicyState& state,
                           const std::set<std::string>& just_applied, const ActionTarget& target) {
  // The throttles and circuits in effect (not those this evaluation applied) are sent again:
  // their agent-side ttl is short, so they end by themselves once no operator renews them.
  // Pods that came up since get them too.
  for (const auto& ep : state.episodes) {
    for (const auto& t : ep.temporaries) {
      if (!ActionExecutor::Renewable(t) || just_applied.count(t.decision_id) > 0) continue;
      auto renewed = executor_->Renew(t, target);
      if (renewed.ok()) {
        Log().Debug("renewed", {{"policy", key},
                                {"action", policy::ActionTypeName(t.action)},
                                {"decision", t.decision_id},
                                {"message", *renewed}});
        continue;
      }
      Log().Warn("renewal failed; the agents end it by themselves at its ttl",
                 {{"policy", key},
                  {"action", policy::ActionTypeName(t.action)},
                  {"decision", t.decision_id},
                  {"ttl_seconds", static_cast<int64_t>(executor_->EffectTtl(p).count())},
                  {"error", renewed.error().ToString()}});
    }
  }
}

}  // namespace kubeheal::controllers
