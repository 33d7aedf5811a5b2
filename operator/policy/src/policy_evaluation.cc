#include "policy_evaluation.h"

#include <algorithm>
#include <limits>
#include <map>
#include <set>

#include "kubeheal/policy/explanation.h"
#include "pattern_matcher.h"

namespace kubeheal::policy {
namespace {

bool IsTemporary(ActionType a) {
  return a == ActionType::kThrottle || a == ActionType::kCircuitBreak || a == ActionType::kScale;
}

Seconds VerifyAfter(const ActionsSpec& a, ActionType type) {
  switch (type) {
    case ActionType::kThrottle:
      return a.throttle.verify_after;
    case ActionType::kCircuitBreak:
      return a.circuit_break.verify_after;
    case ActionType::kScale:
      return a.scale.verify_after;
    case ActionType::kRestart:
      return a.restart.verify_after;
    case ActionType::kAlert:
      return a.alert.verify_after;
  }
  return a.alert.verify_after;
}

std::string Describe(ActionType type, const ActionParameters& p, bool revert) {
  switch (type) {
    case ActionType::kThrottle:
      return revert ? "clear throttle"
                    : "throttle to " + std::to_string(static_cast<int>(p.rps)) + " rps (burst " +
                          std::to_string(p.burst) + ")";
    case ActionType::kCircuitBreak:
      return revert ? "close circuit"
                    : "open circuit for " + std::to_string(p.circuit_duration.count()) + "s";
    case ActionType::kScale:
      return (revert ? "scale back from " : "scale out from ") + std::to_string(p.from_replicas) +
             " to " + std::to_string(p.to_replicas) + " replicas";
    case ActionType::kRestart:
      return p.restart_mode == RestartMode::kRolling ? "rolling restart" : "restart one pod";
    case ActionType::kAlert:
      return "alert";
  }
  return "act";
}

// One evaluation of one policy. Lives for the duration of DecisionEngine::Evaluate only.
class Evaluator {
 public:
  Evaluator(const PolicySpec& spec, const Observation& observation, PolicyState& state,
            Clock::TimePoint now, std::string protected_why, GlobalBudget& budget,
            const EngineOptions& options)
      : spec_(spec),
        obs_(observation),
        state_(state),
        now_(now),
        protected_why_(std::move(protected_why)),
        budget_(budget),
        options_(options) {}

  Evaluation Run() {
    UpdateHolds(spec_, obs_, now_, state_);
    PruneRecentActions();
    if (spec_.guardrails.suspend) {
      out_.notes.push_back("suspended: no decisions are taken");
      return Finish(Phase::kSuspended);
    }
    CloseEpisodesOfRemovedRules();
    LiftExpiredThrottles();
    for (const Rule& rule : EffectiveRules(spec_)) EvaluateRule(rule);
    std::erase_if(state_.episodes, [&](const Episode& e) { return closed_.count(e.rule) > 0; });
    EmitReverts();
    return Finish(ComputePhase());
  }

 private:
  void PruneRecentActions() {
    std::erase_if(state_.recent_actions,
                  [&](Clock::TimePoint t) { return t <= now_ - std::chrono::hours(1); });
  }

  Episode* FindEpisode(const std::string& rule) {
    for (auto& e : state_.episodes) {
      if (e.rule == rule && !closed_.count(rule)) return &e;
    }
    return nullptr;
  }

  const Episode* OpenEpisodeOf(Pattern pattern) const {
    for (const auto& e : state_.episodes) {
      if (e.pattern == pattern && !closed_.count(e.rule)) return &e;
    }
    return nullptr;
  }

  void CloseEpisodesOfRemovedRules() {
    const auto& rules = EffectiveRules(spec_);
    for (auto& e : state_.episodes) {
      const bool kept =
          std::any_of(rules.begin(), rules.end(), [&](const Rule& r) { return r.name == e.rule; });
      if (!kept) Recover(e, "rule " + e.rule + " was removed from the policy");
    }
  }

  // A throttle with maxDuration is lifted when that time is up, recovered or not: a throttle
  // left in place hurts the users it was meant to protect.
  void LiftExpiredThrottles() {
    const Seconds max = spec_.actions.throttle.max_duration;
    if (max.count() <= 0) return;
    for (auto& e : state_.episodes) {
      std::erase_if(e.temporaries, [&](const TemporaryAction& t) {
        if (t.action != ActionType::kThrottle || now_ - t.applied_at < max) return false;
        state_.pending_reverts.push_back(t);
        out_.notes.push_back(e.rule + ": throttle " + t.decision_id + " lifted after maxDuration " +
                             std::to_string(max.count()) + "s");
        return true;
      });
    }
  }

  void EvaluateRule(const Rule& rule) {
    const RuleMatch m = MatchRule(rule, spec_, obs_, state_, now_);
    if (!m.configured) return;
    anomalous_ = anomalous_ || m.anomalous;
    Episode* ep = FindEpisode(rule.name);
    if (!ep) {
      if (!m.triggered) {
        if (m.anomalous) {
          out_.notes.push_back(
              rule.name + ": " + m.summary +
              (m.excluded ? " (not acted on while " + m.excluded_by + " is anomalous too)" : ""));
        }
        return;
      }
      if (WaitsOnRelated(rule, "no action")) return;
      if (const Episode* other = OpenEpisodeOf(rule.pattern)) {
        // Rules of one pattern: the first that matched handles it, later ones stand by.
        out_.notes.push_back(rule.name + ": " + PatternName(rule.pattern) +
                             " is already handled by rule " + other->rule);
        return;
      }
      Episode fresh;
      fresh.rule = rule.name;
      fresh.pattern = rule.pattern;
      fresh.started_at = now_;
      state_.episodes.push_back(std::move(fresh));
      state_.last_detected_at = now_;
      Act(state_.episodes.back(), rule, m, 0,
          "detected " + std::string(PatternName(rule.pattern)) + ": " + m.summary);
      return;
    }
    const bool recovered = !m.anomalous && !m.unknown;
    if (ep->rung < 0 && !ep->exhausted) {  // detected, no action could be taken yet
      if (recovered) {
        closed_.insert(ep->rule);
        out_.notes.push_back(rule.name + ": anomaly cleared before any action");
      } else if (m.triggered && !WaitsOnRelated(rule, "no action")) {
        Act(*ep, rule, m, 0,
            "detected " + std::string(PatternName(rule.pattern)) + ": " + m.summary);
      }
      return;
    }
    if (ep->exhausted) {
      if (recovered)
        Recover(*ep, rule.name + ": recovered");
      else
        out_.notes.push_back(rule.name + ": every action of the ladder was tried; still " +
                             m.summary);
      return;
    }
    // Missing data neither starts nor ends the calm.
    if (recovered && !ep->normal_since) ep->normal_since = now_;
    if (m.anomalous) ep->normal_since.reset();
    if (ep->verify_at && now_ < *ep->verify_at) {
      // The last action gets its verifyAfter before anything escalates or is undone, but a
      // recovery that has lasted the signals' `for` is recognised at once: MTTR is when the
      // service was back, not when the operator got round to checking. The episode stays open
      // until verify_at all the same, so a relapse escalates instead of starting the ladder
      // (and the cooldowns) from the bottom, and temporary actions stay as long as planned.
      if (ep->recovered_at) {
        if (m.anomalous) {
          ep->recovered_at.reset();
          out_.notes.push_back(rule.name + ": anomalous again before verifyAfter: " + m.summary);
        }
      } else if (recovered && now_ - *ep->normal_since >= m.recovery_hold) {
        const auto calm = std::chrono::duration_cast<Seconds>(now_ - *ep->normal_since);
        ep->recovered_at = now_;
        state_.last_recovered_at = now_;
        out_.notes.push_back(rule.name + ": recovered after " +
                             ActionTypeName(rule.actions[ep->rung]) + " (normal for " +
                             std::to_string(calm.count()) +
                             "s); its actions stay until verifyAfter");
      }
      return;
    }
    if (m.unknown) {
      out_.notes.push_back(rule.name + ": cannot verify the last action: signal data missing");
      return;
    }
    if (recovered) {
      Recover(*ep, rule.name + ": recovered after " + ActionTypeName(rule.actions[ep->rung]));
      return;
    }
    if (m.excluded) {
      out_.notes.push_back(rule.name + ": not escalating while " + m.excluded_by +
                           " is anomalous too");
      return;
    }
    if (WaitsOnRelated(rule, "not escalating")) return;
    Act(*ep, rule, m, ep->rung + 1,
        "not recovered " +
            std::to_string(VerifyAfter(spec_.actions, rule.actions[ep->rung]).count()) +
            "s after " + ActionTypeName(rule.actions[ep->rung]) + ", escalating: " + m.summary);
  }

  // An anomaly that a related policy explains (a slow dependency, a flood through a caller)
  // gets no action of this policy's own, not even a first rung: that policy heals the cause.
  bool WaitsOnRelated(const Rule& rule, const char* what) {
    const auto why = Explain(rule.pattern, obs_, now_);
    if (!why) return false;
    out_.notes.push_back(rule.name + ": " + what + " while " + Describe(*why));
    out_.waiting.push_back({rule.name, rule.pattern, *why});
    return true;
  }

  ActionParameters Plan(ActionType type) const {
    const auto& a = spec_.actions;
    ActionParameters p;
    switch (type) {
      case ActionType::kThrottle:
        p.rps = a.throttle.rps;
        p.burst = a.throttle.burst;
        break;
      case ActionType::kCircuitBreak:
        p.circuit_duration = a.circuit_break.duration;
        p.half_open_probes = a.circuit_break.half_open_probes;
        break;
      case ActionType::kScale:
        p.from_replicas = obs_.workload.current_replicas;
        p.to_replicas = std::min(a.scale.max_replicas,
                                 std::max(p.from_replicas + a.scale.step, a.scale.min_replicas));
        break;
      case ActionType::kRestart:
        p.restart_mode = a.restart.mode;
        break;
      case ActionType::kAlert:
        p.webhook_url = a.alert.webhook_url;
        break;
    }
    return p;
  }

  std::optional<Clock::TimePoint> LastOf(ActionType type) const {
    for (const auto& c : state_.cooldowns) {
      if (c.action == type) return c.last_at;
    }
    return std::nullopt;
  }

  void MarkCooldown(ActionType type) {
    for (auto& c : state_.cooldowns) {
      if (c.action == type) {
        c.last_at = now_;
        return;
      }
    }
    state_.cooldowns.push_back({type, now_});
  }

  // Takes the first rung from `from_rung` on that applies, unless a guardrail holds it back (then
  // the episode stays where it is and the next evaluation tries again).
  void Act(Episode& ep, const Rule& rule, const RuleMatch& m, int from_rung,
           const std::string& why) {
    const bool dry_run = spec_.guardrails.dry_run;
    for (int r = from_rung; r < static_cast<int>(rule.actions.size()); ++r) {
      const ActionType type = rule.actions[r];
      if (!protected_why_.empty() && type != ActionType::kAlert) {
        out_.notes.push_back(rule.name + ": skipped " + ActionTypeName(type) + ": namespace " +
                             spec_.namespace_name + " " + protected_why_);
        continue;
      }
      const ActionParameters params = Plan(type);
      if (type == ActionType::kScale && params.to_replicas <= params.from_replicas) {
        out_.notes.push_back(rule.name + ": skipped scale: already at maxReplicas (" +
                             std::to_string(spec_.actions.scale.max_replicas) + ")");
        continue;
      }
      if (const auto it = emitted_.find(type); it != emitted_.end()) {
        // Another pattern asked for the same action in this evaluation: one action serves both.
        Adopt(ep, r, it->second);
        out_.notes.push_back(rule.name + ": " + ActionTypeName(type) + " already decided as " +
                             it->second.id);
        return;
      }
      if (const auto last = LastOf(type); last && now_ - *last < spec_.guardrails.cooldown) {
        out_.notes.push_back(rule.name + ": " + ActionTypeName(type) +
                             " held back by cooldown until " +
                             FormatRfc3339(*last + spec_.guardrails.cooldown));
        return;
      }
      if (!dry_run) {
        const int limit = spec_.guardrails.max_actions_per_hour;
        if (limit > 0 && static_cast<int>(state_.recent_actions.size()) >= limit) {
          out_.notes.push_back(rule.name + ": " + ActionTypeName(type) +
                               " held back: policy budget of " + std::to_string(limit) +
                               " actions per hour is spent");
          return;
        }
        if (!budget_.TryAcquire(now_)) {
          out_.notes.push_back(rule.name + ": " + ActionTypeName(type) +
                               " held back: operator-wide budget of " +
                               std::to_string(budget_.limit()) + " actions per hour is spent");
          return;
        }
        state_.recent_actions.push_back(now_);
      }
      Decision d = NewDecision(type, params, rule.name, rule.pattern, r, dry_run, false);
      d.reason = why + " -> " + Describe(type, params, false) + " (step " + std::to_string(r + 1) +
                 " of " + std::to_string(rule.actions.size()) + ")";
      d.evidence = m.evidence;
      MarkCooldown(type);
      emitted_.emplace(type, d);
      Adopt(ep, r, d);
      Record(std::move(d));
      return;
    }
    ep.exhausted = true;
    ep.verify_at.reset();
    out_.notes.push_back(rule.name + ": no action left in the ladder (" + m.summary + ")");
  }

  void Adopt(Episode& ep, int rung, const Decision& d) {
    ep.rung = rung;
    ep.last_decision_id = d.id;
    ep.verify_at = now_ + VerifyAfter(spec_.actions, d.action);
    if (IsTemporary(d.action)) {
      TemporaryAction t;
      t.decision_id = d.id;
      t.rule = ep.rule;
      t.pattern = ep.pattern;
      t.action = d.action;
      t.parameters = d.parameters;
      t.dry_run = d.dry_run;
      t.applied_at = now_;
      ep.temporaries.push_back(std::move(t));
    }
  }

  Decision NewDecision(ActionType type, const ActionParameters& params, const std::string& rule,
                       Pattern pattern, int rung, bool dry_run, bool revert) {
    Decision d;
    d.id = spec_.name + "-" + std::to_string(state_.next_sequence++);
    d.action = type;
    d.parameters = params;
    d.rule = rule;
    d.pattern = pattern;
    d.rung = rung;
    d.dry_run = dry_run;
    d.revert = revert;
    d.decided_at = now_;
    return d;
  }

  void Record(Decision d) {
    HistoryEntry entry{d, d.dry_run ? Outcome::kSucceeded : Outcome::kPending,
                       d.dry_run ? "dry run: recorded, not executed" : ""};
    state_.history.push_back(std::move(entry));
    if (state_.history.size() > options_.history_limit) {
      state_.history.erase(state_.history.begin(),
                           state_.history.end() - static_cast<long>(options_.history_limit));
    }
    out_.decisions.push_back(std::move(d));
  }

  bool HeldByOpenEpisode(ActionType type, const Episode* except) const {
    for (const auto& e : state_.episodes) {
      if (&e == except || closed_.count(e.rule)) continue;
      for (const auto& t : e.temporaries) {
        if (t.action == type) return true;
      }
    }
    return false;
  }

  // Closes an episode; its temporary actions are undone unless another open episode relies on
  // the same kind of action (then that one undoes it when it recovers).
  void Recover(Episode& ep, const std::string& note) {
    for (auto t : ep.temporaries) {
      if (HeldByOpenEpisode(t.action, &ep)) {
        // The open episode scales back later, and must go back to where the first scale-out of
        // either started, not to its own starting point (which may already be scaled out).
        if (t.action == ActionType::kScale) LowerScaleBackTarget(t.parameters.from_replicas, &ep);
        continue;
      }
      if (t.action == ActionType::kScale)  // scaleBackAfter counts from when recovery was seen
        t.revert_not_before = ep.recovered_at.value_or(now_) + spec_.actions.scale.scale_back_after;
      state_.pending_reverts.push_back(std::move(t));
    }
    closed_.insert(ep.rule);
    // When it was seen, if earlier; never back in time: an older episode closing at its
    // verifyAfter after a newer one recovered (a restart's 3 min after a circuit's 1 min) must
    // not hide that recovery from the detection it followed (FaultScenario verdicts).
    const auto seen = ep.recovered_at.value_or(now_);
    if (!state_.last_recovered_at || *state_.last_recovered_at < seen) {
      state_.last_recovered_at = seen;
    }
    out_.notes.push_back(note);
  }

  void LowerScaleBackTarget(int from_replicas, const Episode* except) {
    for (auto& e : state_.episodes) {
      if (&e == except || closed_.count(e.rule)) continue;
      for (auto& t : e.temporaries) {
        if (t.action == ActionType::kScale && from_replicas < t.parameters.from_replicas) {
          t.parameters.from_replicas = from_replicas;
        }
      }
    }
  }

  // The lowest starting point among the pending scale-backs: several scale-outs in one
  // incident are undone together, back to where the first one started.
  int LowestPendingScaleFrom() const {
    int lowest = std::numeric_limits<int>::max();
    for (const auto& t : state_.pending_reverts) {
      if (t.action == ActionType::kScale) lowest = std::min(lowest, t.parameters.from_replicas);
    }
    return lowest;
  }

  void EmitReverts() {
    const bool any_open = std::any_of(state_.episodes.begin(), state_.episodes.end(),
                                      [&](const Episode& e) { return !closed_.count(e.rule); });
    std::vector<TemporaryAction> keep;
    std::map<ActionType, bool> done;
    for (const auto& t : state_.pending_reverts) {
      if (done[t.action] || HeldByOpenEpisode(t.action, nullptr)) continue;
      ActionParameters p = t.parameters;
      if (t.action == ActionType::kScale) {
        // Scaling back while another pattern is being remediated would fight it; and
        // scaleBackAfter keeps the capacity a while in case the load returns.
        if (any_open || (t.revert_not_before && now_ < *t.revert_not_before)) {
          keep.push_back(t);
          continue;
        }
        const int target = std::max(spec_.actions.scale.min_replicas, LowestPendingScaleFrom());
        const int current = obs_.workload.current_replicas;
        if (current <= target) continue;
        p.from_replicas = current;
        p.to_replicas = target;
      }
      Decision d = NewDecision(t.action, p, t.rule, t.pattern, -1, t.dry_run, true);
      d.attempt = t.attempt;
      d.reason = "recovered: " + Describe(t.action, p, true) + " (undoing " + t.decision_id + ")";
      done[t.action] = true;
      Record(std::move(d));
    }
    state_.pending_reverts = std::move(keep);
  }

  Phase ComputePhase() const {
    bool remediating = false, exhausted = false, detected = false;
    for (const auto& e : state_.episodes) {
      if (e.recovered_at) continue;  // recovered, waiting out its verifyAfter
      exhausted = exhausted || e.exhausted;
      remediating = remediating || e.rung >= 0;
      detected = true;
    }
    bool signal_anomalous = obs_.workload.crashing_pods + obs_.workload.not_ready_pods > 0;
    for (const auto& s : obs_.signals)
      signal_anomalous = signal_anomalous || (s.available && s.anomalous);
    if (exhausted) return Phase::kExhausted;
    if (remediating) return Phase::kRemediating;
    if (detected || anomalous_ || signal_anomalous) return Phase::kAnomalous;
    if (state_.last_recovered_at && now_ - *state_.last_recovered_at < options_.recovered_hold) {
      return Phase::kRecovered;
    }
    return Phase::kHealthy;
  }

  Evaluation Finish(Phase phase) {
    if (phase != state_.phase) {
      state_.phase = phase;
      state_.phase_since = now_;
    }
    out_.phase = phase;
    return std::move(out_);
  }

  const PolicySpec& spec_;
  const Observation& obs_;
  PolicyState& state_;
  const Clock::TimePoint now_;
  const std::string protected_why_;  // "" unless the namespace allows alerts only
  GlobalBudget& budget_;
  const EngineOptions& options_;
  Evaluation out_;
  bool anomalous_ = false;
  std::map<ActionType, Decision> emitted_;  // this evaluation's forward decisions by action
  std::set<std::string> closed_;            // rules whose episode ended in this evaluation
};

}  // namespace

Evaluation RunPolicyEvaluation(const PolicySpec& spec, const Observation& observation,
                               PolicyState& state, Clock::TimePoint now,
                               const std::string& protected_why, GlobalBudget& budget,
                               const EngineOptions& options) {
  return Evaluator(spec, observation, state, now, protected_why, budget, options).Run();
}

}  // namespace kubeheal::policy
