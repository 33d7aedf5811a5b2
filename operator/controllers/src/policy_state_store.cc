#include "kubeheal/controllers/policy_state_store.h"

#include <utility>

#include "kubeheal/common/logger.h"
#include "kubeheal/policy/state_json.h"

namespace kubeheal::controllers {
namespace {

constexpr const char* kKind = "HealingPolicy";

// A status without the figures that change on every evaluation, to tell a real change.
Json WithoutLiveFigures(Json status) {
  status.erase("lastEvaluationTime");
  if (status.contains("signals") && status["signals"].is_array()) {
    for (auto& s : status["signals"]) {
      for (const char* live : {"value", "expected", "score", "confidence", "explanation"}) {
        s.erase(live);
      }
    }
  }
  return status;
}

}  // namespace

StoredEngineState ReadStoredEngineState(const Json& policy_object) {
  StoredEngineState out;
  Json doc;
  std::string where;
  const Json* status = policy_object.contains("status") ? &policy_object["status"] : nullptr;
  if (status != nullptr && status->is_object() && status->contains("engineState")) {
    out.source = StoredEngineState::Source::kStatus;
    where = "status.engineState";
    doc = (*status)["engineState"];
  } else {
    const Json& meta = policy_object.contains("metadata") ? policy_object["metadata"] : Json();
    const Json& annotations =
        meta.is_object() && meta.contains("annotations") ? meta["annotations"] : Json();
    if (!annotations.is_object() || !annotations.contains(kEngineStateAnnotation)) return out;
    out.source = StoredEngineState::Source::kAnnotation;
    where = std::string("annotation ") + kEngineStateAnnotation;
    const Json& text = annotations[kEngineStateAnnotation];
    doc = text.is_string() ? Json::parse(text.get<std::string>(), nullptr, false) : Json();
    if (doc.is_discarded()) {
      out.error = where + " is not JSON";
      return out;
    }
  }
  if (!doc.is_object()) {
    out.error = where + " is not an object";
    return out;
  }
  auto state = policy::PolicyStateFromJson(doc.value("engine", Json::object()));
  if (!state.ok()) {
    out.error = where + ".engine: " + state.error().message;
    return out;
  }
  if (const auto tags = doc.find("scenarioTags"); tags != doc.end()) {
    if (!tags->is_object()) {
      out.error = where + ".scenarioTags is not an object";
      return out;
    }
    for (const auto& [id, scenario] : tags->items()) {
      if (!scenario.is_string()) {
        out.error = where + ".scenarioTags[\"" + id + "\"] is not a string";
        return out;
      }
      out.scenario_tags[id] = scenario.get<std::string>();
    }
  }
  out.state = std::move(*state);
  return out;
}

PolicyStateStore::PolicyStateStore(std::shared_ptr<KubeOperations> kube,
                                   std::shared_ptr<policy::DecisionEngine> engine,
                                   std::shared_ptr<OperatorMetrics> metrics,
                                   std::shared_ptr<Clock> clock,
                                   std::chrono::seconds status_refresh)
    : kube_(std::move(kube)),
      engine_(std::move(engine)),
      metrics_(std::move(metrics)),
      clock_(std::move(clock)),
      status_refresh_(status_refresh) {}

PolicyEngineState PolicyStateStore::Load(const std::string& key, const Json& object,
                                         int64_t generation,
                                         std::vector<api::Condition>* conditions) {
  auto stored = ReadStoredEngineState(object);
  PolicyEngineState loaded;
  loaded.restored = stored.state.has_value();
  if (stored.state) {
    loaded.engine = std::move(*stored.state);
    loaded.scenario_tags = std::move(stored.scenario_tags);
    engine_->RememberRestored(loaded.engine);  // the operator-wide budget
  }
  if (!stored.error.empty()) {
    const std::string message = stored.error +
                                "; started fresh: cooldowns, action budgets, open episodes and "
                                "pending reverts of this policy are forgotten";
    api::SetCondition(conditions, {kEngineStateValid, "False", "Corrupt", message, "", generation},
                      clock_->Now());
    (void)kube_->RecordEvent(object, "Warning", "EngineStateCorrupt", message);
    Log().Warn("engine state corrupt", {{"policy", key}, {"error", stored.error}});
    return loaded;
  }
  using Source = StoredEngineState::Source;
  const char* reason = stored.source == Source::kStatus       ? "Restored"
                       : stored.source == Source::kAnnotation ? "Migrated"
                                                              : "New";
  const char* message =
      stored.source == Source::kStatus ? "engine state read from status.engineState"
      : stored.source == Source::kAnnotation
          ? "engine state read from the annotation kubeheal.io/engine-state of an earlier "
            "version; kept in status.engineState from now on"
          : "no stored engine state: a new one";
  api::SetCondition(conditions, {kEngineStateValid, "True", reason, message, "", generation},
                    clock_->Now());
  return loaded;
}

// An earlier version's annotation goes once the status holds the state (and again if someone
// writes it back: it is never read while the status has a state). Failing to remove it is
// logged, never a failed write: the state is safe in the status, and the decisions recorded
// there must still be carried out.
Status PolicyStateStore::DropAnnotation(Json* object) {
  const auto& meta = (*object)["metadata"];
  const auto& annotations = meta.value("annotations", Json::object());
  if (!annotations.contains(kEngineStateAnnotation)) return Status::Ok();
  const std::string ns = meta.value("namespace", "");
  const std::string name = meta.value("name", "");
  auto patched = kube_->PatchCustomMetadata(kKind, ns, name,
                                            {{"annotations", {{kEngineStateAnnotation, nullptr}}}});
  if (!patched.ok()) {
    Log().Warn("engine-state annotation not removed",
               {{"policy", ns + "/" + name}, {"error", patched.error().ToString()}});
    return Status::Ok();
  }
  *object = std::move(*patched);
  return Status::Ok();
}

Status PolicyStateStore::Persist(Json* object, PolicyEngineState& state,
                                 const api::HealingPolicyStatus& status) {
  Json tags = Json::object();
  for (const auto& [id, scenario] : state.scenario_tags) tags[id] = scenario;
  Json wanted = api::ToJson(status);
  wanted["engineState"] = {{"engine", policy::PolicyStateToJson(state.engine)},
                           {"scenarioTags", tags}};
  const std::string ns = (*object)["metadata"].value("namespace", "");
  const std::string name = (*object)["metadata"].value("name", "");
  if (!status.phase.empty()) metrics_->PolicyPhase(ns + "/" + name, status.phase);
  for (int attempt = 0; attempt < 2; ++attempt) {
    const bool refresh_due = !state.status_written || status_refresh_.count() == 0 ||
                             clock_->SteadyNow() - *state.status_written >= status_refresh_;
    if (!refresh_due && object->contains("status") &&
        WithoutLiveFigures((*object)["status"]) == WithoutLiveFigures(wanted)) {
      return DropAnnotation(object);
    }
    (*object)["status"] = wanted;
    auto updated = kube_->UpdateCustomStatus(kKind, *object);
    if (updated.ok()) {
      *object = std::move(*updated);
      state.status_written = clock_->SteadyNow();
      return DropAnnotation(object);
    }
    if (updated.error().http_status != 409) return updated.error();
    auto fresh = kube_->GetCustom(kKind, ns, name);
    if (!fresh.ok()) return fresh.error();
    *object = std::move(*fresh);
  }
  return Error::Retryable(
      "Conflict",
      "HealingPolicy " + ns + "/" + name + " kept changing while its status was written", 409);
}

}  // namespace kubeheal::controllers
