#include "kubeheal/api/healing_policy.h"

#include <algorithm>
#include <set>

#include "field_reader.h"

namespace kubeheal::api {
namespace {

const std::vector<std::string> kActions = {"throttle", "circuitBreak", "scale", "restart", "alert"};
const std::vector<std::string> kPatterns = {"crash", "latency", "errors", "traffic", "memory",
                                            "any"};
const std::vector<std::string> kDetectors = {"threshold", "zscore", "ewma", "movingAverage",
                                             "mad", "isolationForest", "burnRate", "trend"};

std::string Index(const std::string& path, size_t i) {
  return path + "[" + std::to_string(i) + "]";
}

TargetRef ParseTargetRef(FieldReader r) {
  TargetRef t;
  t.api_version = r.String("apiVersion", false, "apps/v1");
  t.kind = r.Enum("kind", {"Deployment", "StatefulSet"}, "Deployment");
  t.name = r.String("name", true);
  return t;
}

SignalSpec ParseSignal(FieldReader r) {
  SignalSpec s;
  s.name = r.String("name", true);
  s.query = r.String("query", true);
  // detector is either "zscore" (params beside it) or {type: zscore, params: {...}}
  if (const auto* d = r.Raw("detector"); d != nullptr && d->is_object()) {
    auto dr = r.Nested("detector");
    s.detector = dr.Enum("type", kDetectors, "zscore", true);
    if (dr.Has("params")) s.params = dr.Object("params");
  } else {
    s.detector = r.Enum("detector", kDetectors, "zscore");
    if (r.Has("params")) s.params = r.Object("params");
  }
  s.hold_for = r.Duration("for", Millis(0));
  s.pattern = r.Enum("pattern", kPatterns, "");
  if (s.pattern.empty()) s.pattern = PatternFromSignalName(s.name);
  return s;
}

RuleSpec ParseRule(FieldReader r, const std::set<std::string>& signal_names) {
  RuleSpec rule;
  rule.name = r.String("name");
  rule.pattern = r.Enum("pattern", kPatterns, "");
  rule.signals = r.StringList("signals");
  for (size_t i = 0; i < rule.signals.size(); ++i) {
    if (!signal_names.count(rule.signals[i])) {
      r.Fail(Index("signals", i), "no signal named \"" + rule.signals[i] + "\" in spec.signals");
    }
  }
  if (rule.pattern.empty() && rule.signals.empty()) {
    r.Fail("", "needs a pattern or a list of signals");
  }
  rule.actions = r.StringList("actions");
  if (rule.actions.empty()) r.Fail("actions", "required: the ladder of actions to try in order");
  for (size_t i = 0; i < rule.actions.size(); ++i) {
    if (std::find(kActions.begin(), kActions.end(), rule.actions[i]) == kActions.end()) {
      r.Fail(Index("actions", i), "must be one of throttle, circuitBreak, scale, restart, alert, "
                                  "got \"" + rule.actions[i] + "\"");
    }
  }
  return rule;
}

ActionsSpec ParseActions(FieldReader r, std::vector<std::string>* errors) {
  ActionsSpec a;
  {
    FieldReader t(r.Object("throttle"), r.Child("throttle"), errors);
    a.throttle.rps = t.Number("rps", a.throttle.rps, 1e-3, 1e6);
    a.throttle.burst = t.Integer("burst", 0, 0, 1'000'000);
    a.throttle.verify_after = t.Duration("verifyAfter", a.throttle.verify_after);
  }
  {
    FieldReader c(r.Object("circuitBreak"), r.Child("circuitBreak"), errors);
    a.circuit_break.duration = c.Duration("duration", a.circuit_break.duration);
    if (a.circuit_break.duration <= Millis(0) ||
        a.circuit_break.duration > std::chrono::hours(24)) {
      c.Fail("duration", "must be more than 0s and at most 24h");
    }
    a.circuit_break.half_open_probes = c.Integer("halfOpenProbes", 1, 1, 1000);
    a.circuit_break.verify_after = c.Duration("verifyAfter", a.circuit_break.verify_after);
  }
  {
    FieldReader s(r.Object("scale"), r.Child("scale"), errors);
    a.scale.step = s.Integer("step", 1, 1, 1000);
    a.scale.min_replicas = s.Integer("minReplicas", 1, 0, 100000);
    a.scale.max_replicas = s.Integer("maxReplicas", 10, 1, 100000);
    if (a.scale.min_replicas > a.scale.max_replicas) {
      s.Fail("minReplicas", "must not exceed maxReplicas (" +
                                std::to_string(a.scale.max_replicas) + ")");
    }
    a.scale.verify_after = s.Duration("verifyAfter", a.scale.verify_after);
  }
  {
    FieldReader s(r.Object("restart"), r.Child("restart"), errors);
    a.restart.mode = s.Enum("mode", {"rolling", "pod"}, "rolling");
    a.restart.verify_after = s.Duration("verifyAfter", a.restart.verify_after);
  }
  {
    FieldReader s(r.Object("alert"), r.Child("alert"), errors);
    a.alert.webhook_url = s.String("webhookUrl");
    if (!a.alert.webhook_url.empty() && a.alert.webhook_url.rfind("http://", 0) != 0 &&
        a.alert.webhook_url.rfind("https://", 0) != 0) {
      s.Fail("webhookUrl", "must be an http:// or https:// URL");
    }
    a.alert.verify_after = s.Duration("verifyAfter", a.alert.verify_after);
  }
  return a;
}

std::optional<double> ReadOptionalNumber(const nlohmann::json& j, const char* key) {
  if (j.contains(key) && j[key].is_number()) return j[key].get<double>();
  return std::nullopt;
}

nlohmann::json ToJson(const Evidence& e) {
  nlohmann::json j = {{"signal", e.signal}, {"query", e.query}, {"score", e.score}};
  if (e.value) j["value"] = *e.value;
  if (e.low) j["low"] = *e.low;
  if (e.high) j["high"] = *e.high;
  return j;
}

nlohmann::json ToJson(const ActionRecord& r) {
  nlohmann::json j = {{"time", r.time},     {"action", r.action},   {"result", r.result},
                      {"reason", r.reason}, {"message", r.message}, {"dryRun", r.dry_run}};
  if (!r.scenario.empty()) j["scenario"] = r.scenario;
  if (!r.evidence.empty()) {
    j["evidence"] = nlohmann::json::array();
    for (const auto& e : r.evidence) j["evidence"].push_back(ToJson(e));
  }
  return j;
}

ActionRecord ActionRecordFromJson(const nlohmann::json& j) {
  ActionRecord r;
  if (!j.is_object()) return r;
  r.time = j.value("time", "");
  r.action = j.value("action", "");
  r.result = j.value("result", "");
  r.reason = j.value("reason", "");
  r.message = j.value("message", "");
  r.dry_run = j.value("dryRun", false);
  r.scenario = j.value("scenario", "");
  if (j.contains("evidence") && j["evidence"].is_array()) {
    for (const auto& e : j["evidence"]) {
      Evidence ev;
      ev.signal = e.value("signal", "");
      ev.query = e.value("query", "");
      ev.value = ReadOptionalNumber(e, "value");
      ev.low = ReadOptionalNumber(e, "low");
      ev.high = ReadOptionalNumber(e, "high");
      ev.score = e.value("score", 0.0);
      r.evidence.push_back(std::move(ev));
    }
  }
  return r;
}

}  // namespace

Millis ActionsSpec::VerifyAfter(const std::string& action) const {
  if (action == "throttle") return throttle.verify_after;
  if (action == "circuitBreak") return circuit_break.verify_after;
  if (action == "scale") return scale.verify_after;
  if (action == "restart") return restart.verify_after;
  return alert.verify_after;
}

void HealingPolicyStatus::AddHistory(ActionRecord r) {
  last_action = r;
  history.push_back(std::move(r));
  if (history.size() > kMaxHistory) history.erase(history.begin());
}

std::string PatternFromSignalName(const std::string& raw) {
  std::string name = raw;
  std::transform(name.begin(), name.end(), name.begin(), ::tolower);
  auto has = [&](const char* s) { return name.find(s) != std::string::npos; };
  if (has("crash") || has("restart") || has("ready") || has("oom")) return "crash";
  if (has("latency") || has("duration") || has("p99") || has("p95") || has("slow")) {
    return "latency";
  }
  if (has("error") || has("5xx") || has("fail")) return "errors";
  if (has("traffic") || has("rps") || has("rate") || has("request") || has("qps")) {
    return "traffic";
  }
  if (has("memory") || has("mem") || has("rss") || has("heap")) return "memory";
  return "any";
}

Result<HealingPolicy> HealingPolicyFromJson(const nlohmann::json& object) {
  if (!object.is_object()) {
    return Error::Terminal("Invalid", "HealingPolicy: expected a JSON object");
  }
  HealingPolicy p;
  p.metadata = ObjectMetaFromJson(object.value("metadata", nlohmann::json::object()));
  std::vector<std::string> errors;
  FieldReader root(object, "", &errors);
  FieldReader spec(root.Object("spec", true), "spec", &errors);
  auto& s = p.spec;
  s.target_ref = ParseTargetRef(FieldReader(spec.Object("targetRef", true), "spec.targetRef",
                                            &errors));
  s.interval = spec.Duration("interval", s.interval);
  if (s.interval < std::chrono::seconds(1) || s.interval > std::chrono::hours(1)) {
    spec.Fail("interval", "must be between 1s and 1h, got " + FormatDuration(s.interval));
  }
  const auto& signals = spec.Array("signals", true);
  std::set<std::string> names;
  for (size_t i = 0; i < signals.size(); ++i) {
    const std::string path = Index("spec.signals", i);
    if (!signals[i].is_object()) {
      errors.push_back(path + ": must be an object");
      continue;
    }
    auto signal = ParseSignal(FieldReader(signals[i], path, &errors));
    if (!signal.name.empty() && !names.insert(signal.name).second) {
      errors.push_back(path + ".name: duplicate signal name \"" + signal.name + "\"");
    }
    s.signals.push_back(std::move(signal));
  }
  if (spec.Has("slo")) {
    FieldReader slo(spec.Object("slo"), "spec.slo", &errors);
    SloSpec o;
    o.objective = slo.Number("objective", o.objective, 0.0, 100.0);
    if (o.objective > 1) o.objective /= 100;  // "99.9" means percent
    o.good_query = slo.String("goodQuery", true);
    o.total_query = slo.String("totalQuery", true);
    o.window = slo.Duration("window", o.window);
    s.slo = o;
  }
  const auto& rules = spec.Array("rules");
  for (size_t i = 0; i < rules.size(); ++i) {
    const std::string path = Index("spec.rules", i);
    if (!rules[i].is_object()) {
      errors.push_back(path + ": must be an object");
      continue;
    }
    s.rules.push_back(ParseRule(FieldReader(rules[i], path, &errors), names));
  }
  s.actions = ParseActions(FieldReader(spec.Object("actions"), "spec.actions", &errors), &errors);
  s.cooldown = spec.Duration("cooldown", s.cooldown);
  s.max_actions_per_hour = spec.Integer("maxActionsPerHour", s.max_actions_per_hour, 0, 1000);
  s.dry_run = spec.Bool("dryRun", false);
  s.suspend = spec.Bool("suspend", false);
  if (!errors.empty()) {
    return InvalidObject("HealingPolicy " + p.metadata.Key(), errors);
  }
  if (object.contains("status")) p.status = HealingPolicyStatusFromJson(object["status"]);
  return p;
}

nlohmann::json ToJson(const HealingPolicyStatus& st) {
  nlohmann::json j = nlohmann::json::object();
  j["observedGeneration"] = st.observed_generation;
  j["phase"] = st.phase;
  j["conditions"] = nlohmann::json::array();
  for (const auto& c : st.conditions) j["conditions"].push_back(ToJson(c));
  j["signals"] = nlohmann::json::array();
  for (const auto& s : st.signals) {
    nlohmann::json sj = {{"name", s.name},         {"score", s.score},
                         {"severity", s.severity}, {"confidence", s.confidence},
                         {"anomalous", s.anomalous}};
    if (s.value) sj["value"] = *s.value;
    if (s.expected) sj["expected"] = *s.expected;
    if (s.low) sj["low"] = *s.low;
    if (s.high) sj["high"] = *s.high;
    if (!s.anomalous_since.empty()) sj["anomalousSince"] = s.anomalous_since;
    if (!s.explanation.empty()) sj["explanation"] = s.explanation;
    j["signals"].push_back(std::move(sj));
  }
  if (st.last_action) j["lastAction"] = ToJson(*st.last_action);
  j["history"] = nlohmann::json::array();
  for (const auto& h : st.history) j["history"].push_back(ToJson(h));
  j["activeActions"] = nlohmann::json::array();
  for (const auto& a : st.active_actions) {
    nlohmann::json aj = {{"action", a.action},
                         {"startedAt", a.started_at},
                         {"verifyAt", a.verify_at},
                         {"ladderStep", a.ladder_step}};
    if (a.previous_replicas >= 0) aj["previousReplicas"] = a.previous_replicas;
    j["activeActions"].push_back(std::move(aj));
  }
  if (!st.last_detection_time.empty()) j["lastDetectionTime"] = st.last_detection_time;
  if (!st.last_recovery_time.empty()) j["lastRecoveryTime"] = st.last_recovery_time;
  if (!st.anomaly_scenario.empty()) j["anomalyScenario"] = st.anomaly_scenario;
  j["actionsLastHour"] = st.actions_last_hour;
  return j;
}

HealingPolicyStatus HealingPolicyStatusFromJson(const nlohmann::json& j) {
  HealingPolicyStatus st;
  if (!j.is_object()) return st;
  st.observed_generation = j.value("observedGeneration", int64_t{0});
  st.phase = j.value("phase", "");
  if (j.contains("conditions") && j["conditions"].is_array()) {
    for (const auto& c : j["conditions"]) st.conditions.push_back(ConditionFromJson(c));
  }
  if (j.contains("signals") && j["signals"].is_array()) {
    for (const auto& sj : j["signals"]) {
      SignalStatus s;
      s.name = sj.value("name", "");
      s.value = ReadOptionalNumber(sj, "value");
      s.expected = ReadOptionalNumber(sj, "expected");
      s.low = ReadOptionalNumber(sj, "low");
      s.high = ReadOptionalNumber(sj, "high");
      s.score = sj.value("score", 0.0);
      s.severity = sj.value("severity", "normal");
      s.confidence = sj.value("confidence", 0.0);
      s.anomalous = sj.value("anomalous", false);
      s.anomalous_since = sj.value("anomalousSince", "");
      s.explanation = sj.value("explanation", "");
      st.signals.push_back(std::move(s));
    }
  }
  if (j.contains("lastAction")) st.last_action = ActionRecordFromJson(j["lastAction"]);
  if (j.contains("history") && j["history"].is_array()) {
    for (const auto& h : j["history"]) st.history.push_back(ActionRecordFromJson(h));
  }
  if (j.contains("activeActions") && j["activeActions"].is_array()) {
    for (const auto& aj : j["activeActions"]) {
      ActiveAction a;
      a.action = aj.value("action", "");
      a.started_at = aj.value("startedAt", "");
      a.verify_at = aj.value("verifyAt", "");
      a.ladder_step = aj.value("ladderStep", int64_t{0});
      a.previous_replicas = aj.value("previousReplicas", int64_t{-1});
      st.active_actions.push_back(std::move(a));
    }
  }
  st.last_detection_time = j.value("lastDetectionTime", "");
  st.last_recovery_time = j.value("lastRecoveryTime", "");
  st.anomaly_scenario = j.value("anomalyScenario", "");
  st.actions_last_hour = j.value("actionsLastHour", int64_t{0});
  return st;
}

}  // namespace kubeheal::api
