#include "kubeheal/controllers/scenario_judge.h"

#include <algorithm>
#include <cmath>

#include "kubeheal/api/duration.h"
#include "kubeheal/common/logger.h"
#include "kubeheal/controllers/policy_state_store.h"

namespace kubeheal::controllers {
namespace {

double SecondsBetween(Clock::TimePoint from, Clock::TimePoint to) {
  return std::chrono::duration<double>(to - from).count();
}

std::string ShortDuration(double seconds) {
  return api::FormatDuration(api::Millis(static_cast<int64_t>(std::llround(seconds)) * 1000));
}

}  // namespace

ScenarioJudge::ScenarioJudge(std::shared_ptr<KubeOperations> kube,
                             std::shared_ptr<OperatorMetrics> metrics, std::shared_ptr<Clock> clock)
    : kube_(std::move(kube)), metrics_(std::move(metrics)), clock_(std::move(clock)) {}

bool ScenarioJudge::Judge(api::FaultScenario& sc, Clock::TimePoint start, bool injection_over) {
  if (!sc.spec.expect) return true;
  auto& st = sc.status;
  if (!st.verdict.empty()) {
    // Also after an operator restart, the scenario's measured times are exported.
    metrics_->ScenarioTimes(sc.metadata.Key(), st.mttd_seconds, st.mttr_seconds);
    return true;
  }
  auto object = kube_->GetCustom("HealingPolicy", sc.metadata.namespace_, sc.spec.expect->policy);
  if (object.ok()) {
    if (auto state = ReadStoredEngineState(*object).state) Observe(*state, start, &st);
  }
  metrics_->ScenarioTimes(sc.metadata.Key(), st.mttd_seconds, st.mttr_seconds);
  const auto verdict =
      Verdict(sc, start, injection_over, object.ok() ? "" : object.error().message);
  if (!verdict) return false;
  st.verdict = verdict->first;
  st.verdict_reason = verdict->second;
  metrics_->Verdict(st.verdict);
  Log().Info("scenario verdict", {{"scenario", sc.metadata.Key()},
                                  {"verdict", st.verdict},
                                  {"reason", st.verdict_reason},
                                  {"mttd", st.mttd},
                                  {"mttr", st.mttr}});
  return true;
}

void ScenarioJudge::Observe(const policy::PolicyState& state, Clock::TimePoint start,
                            api::FaultScenarioStatus* st) {
  if (st->detected_time.empty() && state.last_detected_at && *state.last_detected_at >= start) {
    st->detected_time = FormatRfc3339(*state.last_detected_at);
    st->mttd_seconds = SecondsBetween(start, *state.last_detected_at);
    st->mttd = ShortDuration(*st->mttd_seconds);
  }
  if (!st->detected_time.empty() && st->recovered_time.empty() && state.last_recovered_at &&
      state.last_detected_at && *state.last_recovered_at >= *state.last_detected_at &&
      *state.last_recovered_at >= start) {
    st->recovered_time = FormatRfc3339(*state.last_recovered_at);
    st->mttr_seconds = SecondsBetween(start, *state.last_recovered_at);
    st->mttr = ShortDuration(*st->mttr_seconds);
  }
  for (const auto& h : state.history) {
    if (h.decision.decided_at < start || h.decision.revert) continue;
    std::string name = policy::ActionTypeName(h.decision.action);
    if (h.decision.dry_run) name += " (dryRun)";
    if (std::find(st->actions_observed.begin(), st->actions_observed.end(), name) ==
        st->actions_observed.end()) {
      st->actions_observed.push_back(name);
    }
  }
}

std::optional<std::pair<std::string, std::string>> ScenarioJudge::Verdict(
    const api::FaultScenario& sc, Clock::TimePoint start, bool injection_over,
    const std::string& unreadable) const {
  const auto& st = sc.status;
  const auto& expect = *sc.spec.expect;
  const double detect_limit = std::chrono::duration<double>(expect.detect_within).count();
  const double heal_limit = std::chrono::duration<double>(expect.heal_within).count();
  const double elapsed = SecondsBetween(start, clock_->Now());
  using V = std::pair<std::string, std::string>;
  if (st.mttd_seconds && *st.mttd_seconds > detect_limit) {
    return V{"Failed", "detected after " + st.mttd + ", expected within " +
                           api::FormatDuration(expect.detect_within)};
  }
  if (!st.mttd_seconds && elapsed > detect_limit) {
    return V{"Failed",
             "HealingPolicy " + expect.policy + " did not detect the fault within " +
                 api::FormatDuration(expect.detect_within) +
                 (unreadable.empty() ? "" : " (policy not readable: " + unreadable + ")")};
  }
  if (st.mttr_seconds) {
    if (*st.mttr_seconds > heal_limit) {
      return V{"Failed", "recovered after " + st.mttr + ", expected within " +
                             api::FormatDuration(expect.heal_within)};
    }
    const bool action_ok =
        expect.actions.empty() ||
        std::any_of(expect.actions.begin(), expect.actions.end(), [&](const std::string& a) {
          return std::find(st.actions_observed.begin(), st.actions_observed.end(), a) !=
                 st.actions_observed.end();
        });
    if (!action_ok) {
      std::string wanted;
      for (const auto& a : expect.actions) wanted += (wanted.empty() ? "" : ", ") + a;
      return V{"Failed", "recovered, but none of the expected actions (" + wanted + ") was taken"};
    }
    return V{"Passed", "detected in " + st.mttd + ", recovered in " + st.mttr};
  }
  if (elapsed > heal_limit && injection_over) {
    return V{"Failed", "no recovery within " + api::FormatDuration(expect.heal_within)};
  }
  return std::nullopt;
}

}  // namespace kubeheal::controllers
