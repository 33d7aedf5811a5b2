#include "kubeheal/api/healing_policy.h"

#include <algorithm>
#include <set>

#include "field_reader.h"

namespace kubeheal::api {
namespace {

const std::vector<std::string> kActions = {"throttle", "circuitBreak", "scale", "restart", "alert"};
const std::vector<std::string> kPatterns = {"crash",   "notReady", "latency", "errors",
                                            "traffic", "memory",   "custom"};
const std::vector<std::string> kDetectors = {
    "default", "threshold",       "zscore",   "ewma", "movingAverage",
    "mad",     "isolationForest", "burnRate", "trend"};
const std::vector<std::string> kSeverities = {"info", "warning", "critical"};

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
    s.detector = dr.Enum("type", kDetectors, "default", true);
    if (dr.Has("params")) s.params = dr.Object("params");
  } else {
    s.detector = r.Enum("detector", kDetectors, "default");
    if (r.Has("params")) s.params = r.Object("params");
  }
  s.hold_for = r.Duration("for", std::chrono::minutes(1));
  s.pattern = r.Enum("pattern", kPatterns, "");
  if (s.pattern.empty()) s.pattern = PatternFromSignalName(s.name);
  return s;
}

RuleSpec ParseRule(FieldReader r, const std::set<std::string>& signal_names) {
  RuleSpec rule;
  rule.name = r.String("name", true);
  auto when = r.Nested("when", true);
  rule.pattern = when.Enum("pattern", kPatterns, "", true);
  rule.signals = when.StringList("signals");
  for (size_t i = 0; i < rule.signals.size(); ++i) {
    if (!signal_names.count(rule.signals[i])) {
      when.Fail(Index("signals", i), "no signal named \"" + rule.signals[i] + "\" in spec.signals");
    }
  }
  if (rule.pattern == "custom" && rule.signals.empty()) {
    when.Fail("signals", "required when pattern is custom");
  }
  rule.match = when.Enum("match", {"any", "all"}, "any");
  rule.unless = when.StringList("unless");
  for (size_t i = 0; i < rule.unless.size(); ++i) {
    if (rule.unless[i] == rule.pattern)
      when.Fail(Index("unless", i), "must not name the rule's own pattern");
  }
  rule.min_severity = when.Enum("minSeverity", kSeverities, "warning");
  rule.actions = r.StringList("actions");
  if (rule.actions.empty()) r.Fail("actions", "required: the ladder of actions to try in order");
  for (size_t i = 0; i < rule.actions.size(); ++i) {
    if (std::find(kActions.begin(), kActions.end(), rule.actions[i]) == kActions.end()) {
      r.Fail(Index("actions", i),
             "must be one of throttle, circuitBreak, scale, restart, alert, "
             "got \"" +
                 rule.actions[i] + "\"");
    }
  }
  return rule;
}

ActionsSpec ParseActions(FieldReader r) {
  ActionsSpec a;
  {
    auto t = r.Nested("throttle");
    a.throttle.rps = t.Integer("rps", a.throttle.rps, 1, 1'000'000);
    a.throttle.burst =
        t.Integer("burst", std::max<int64_t>(a.throttle.burst, a.throttle.rps), 1, 1'000'000);
    if (a.throttle.burst < a.throttle.rps) t.Fail("burst", "must be at least rps");
    a.throttle.max_duration = t.Duration("maxDuration", a.throttle.max_duration);
    a.throttle.verify_after = t.Duration("verifyAfter", a.throttle.verify_after);
  }
  {
    auto c = r.Nested("circuitBreak");
    a.circuit_break.duration = c.Duration("duration", a.circuit_break.duration);
    if (a.circuit_break.duration < std::chrono::seconds(1) ||
        a.circuit_break.duration > std::chrono::hours(1)) {
      c.Fail("duration", "must be between 1s and 1h");
    }
    a.circuit_break.half_open_probes = c.Integer("halfOpenProbes", 3, 1, 100);
    a.circuit_break.verify_after = c.Duration("verifyAfter", a.circuit_break.verify_after);
  }
  {
    auto s = r.Nested("scale");
    a.scale.step = s.Integer("step", 1, 1, 100);
    a.scale.min_replicas = s.Integer("minReplicas", 1, 0, 1000);
    a.scale.max_replicas = s.Integer("maxReplicas", 10, 1, 1000);
    if (a.scale.min_replicas > a.scale.max_replicas) {
      s.Fail("minReplicas",
             "must not exceed maxReplicas (" + std::to_string(a.scale.max_replicas) + ")");
    }
    a.scale.scale_back_after = s.Duration("scaleBackAfter", a.scale.scale_back_after);
    a.scale.verify_after = s.Duration("verifyAfter", a.scale.verify_after);
  }
  {
    auto s = r.Nested("restart");
    a.restart.mode = s.Enum("mode", {"rolling", "pod"}, "rolling");
    a.restart.verify_after = s.Duration("verifyAfter", a.restart.verify_after);
  }
  {
    auto s = r.Nested("alert");
    a.alert.webhook_url = s.String("webhookURL");
    if (!a.alert.webhook_url.empty() && a.alert.webhook_url.rfind("http://", 0) != 0 &&
        a.alert.webhook_url.rfind("https://", 0) != 0) {
      s.Fail("webhookURL", "must be an http:// or https:// URL");
    }
    a.alert.severity = s.Enum("severity", kSeverities, "warning");
    if (const auto* labels = s.Raw("labels"); labels != nullptr && labels->is_object()) {
      for (const auto& [k, v] : labels->items()) {
        if (v.is_string()) a.alert.labels[k] = v.get<std::string>();
      }
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
  if (!e.severity.empty()) j["severity"] = e.severity;
  return j;
}

nlohmann::json ToJson(const ActionRecord& r, bool full) {
  nlohmann::json j = {{"time", r.time}, {"action", r.action}, {"result", r.result}};
  if (!r.rule.empty()) j["rule"] = r.rule;
  if (!r.message.empty()) j["message"] = r.message;
  if (!full) return j;  // lastAction has no evidence, scenario or dryRun
  j["dryRun"] = r.dry_run;
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
  r.time = TextOr(j, "time");
  r.action = TextOr(j, "action");
  r.rule = TextOr(j, "rule");
  r.result = TextOr(j, "result");
  r.message = TextOr(j, "message");
  r.dry_run = BoolOr(j, "dryRun", false);
  r.scenario = TextOr(j, "scenario");
  if (j.contains("evidence") && j["evidence"].is_array()) {
    for (const auto& e : j["evidence"]) {
      Evidence ev;
      ev.signal = TextOr(e, "signal");
      ev.query = TextOr(e, "query");
      ev.value = ReadOptionalNumber(e, "value");
      ev.low = ReadOptionalNumber(e, "low");
      ev.high = ReadOptionalNumber(e, "high");
      ev.score = NumberOr(e, "score", 0.0);
      ev.severity = TextOr(e, "severity");
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
  if (has("ready")) return "notReady";
  if (has("crash") || has("restart") || has("oom")) return "crash";
  if (has("latency") || has("duration") || has("p99") || has("p95") || has("slow")) {
    return "latency";
  }
  if (has("error") || has("5xx") || has("fail")) return "errors";
  if (has("traffic") || has("rps") || has("rate") || has("request") || has("qps")) {
    return "traffic";
  }
  if (has("memory") || has("mem") || has("rss") || has("heap")) return "memory";
  return "custom";
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
  s.target_ref =
      ParseTargetRef(FieldReader(spec.Object("targetRef", true), "spec.targetRef", &errors));
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
    o.period = slo.String("period", false, o.period);
    o.good_query = slo.String("goodQuery", true);
    o.total_query = slo.String("totalQuery", true);
    s.slo = o;
  }
  const auto& rules = spec.Array("rules");
  if (!spec.Has("rules")) s.rules = DefaultRules();
  for (size_t i = 0; i < rules.size(); ++i) {
    const std::string path = Index("spec.rules", i);
    if (!rules[i].is_object()) {
      errors.push_back(path + ": must be an object");
      continue;
    }
    s.rules.push_back(ParseRule(FieldReader(rules[i], path, &errors), names));
  }
  s.actions = ParseActions(spec.Nested("actions"));
  s.cooldown = spec.Duration("cooldown", s.cooldown);
  s.max_actions_per_hour = spec.Integer("maxActionsPerHour", s.max_actions_per_hour, 1, 100);
  if (s.cooldown < s.interval) spec.Fail("cooldown", "must be at least spec.interval");
  s.dry_run = spec.Bool("dryRun", false);
  s.suspend = spec.Bool("suspend", false);
  const auto& depends_on = spec.Array("dependsOn");
  std::set<std::string> dependencies;
  for (size_t i = 0; i < depends_on.size(); ++i) {
    auto dep = spec.Element("dependsOn", depends_on[i], i);
    if (!depends_on[i].is_object()) {
      errors.push_back(dep.path() + ": must be an object {name: <HealingPolicy>}");
      continue;
    }
    const std::string name = dep.String("name", true);
    if (name.empty()) continue;
    if (name == p.metadata.name) {
      dep.Fail("name", "a policy cannot depend on itself");
    } else if (!dependencies.insert(name).second) {
      dep.Fail("name", "\"" + name + "\" is listed twice");
    } else {
      s.depends_on.push_back(name);
    }
  }
  if (!errors.empty()) {
    return InvalidObject("HealingPolicy " + p.metadata.Key(), errors);
  }
  if (object.contains("status")) p.status = HealingPolicyStatusFromJson(object["status"]);
  return p;
}

std::vector<RuleSpec> DefaultRules() {
  auto rule = [](std::string name, std::string pattern, std::vector<std::string> actions,
                 std::vector<std::string> unless = {}) {
    RuleSpec r;
    r.name = std::move(name);
    r.pattern = std::move(pattern);
    r.actions = std::move(actions);
    r.unless = std::move(unless);
    return r;
  };
  return {rule("crash", "crash", {"restart", "alert"}),
          rule("not-ready", "notReady", {"restart", "alert"}),
          rule("errors", "errors", {"circuitBreak", "restart", "alert"}),
          rule("latency", "latency", {"throttle", "scale", "alert"}, {"errors"}),
          rule("traffic", "traffic", {"scale", "alert"}),
          rule("memory", "memory", {"restart", "alert"})};
}

nlohmann::json ToJson(const HealingPolicyStatus& st) {
  nlohmann::json j = nlohmann::json::object();
  j["observedGeneration"] = st.observed_generation;
  if (!st.phase.empty()) j["phase"] = st.phase;
  j["conditions"] = nlohmann::json::array();
  for (const auto& c : st.conditions) j["conditions"].push_back(ToJson(c));
  if (!st.last_evaluation_time.empty()) j["lastEvaluationTime"] = st.last_evaluation_time;
  j["signals"] = nlohmann::json::array();
  for (const auto& s : st.signals) {
    nlohmann::json sj = {{"name", s.name},
                         {"score", s.score},
                         {"severity", s.severity},
                         {"confidence", std::clamp(s.confidence, 0.0, 1.0)},
                         {"anomalous", s.anomalous}};
    if (s.value) sj["value"] = *s.value;
    if (s.low || s.high) {
      sj["expected"] = nlohmann::json::object();
      if (s.low) sj["expected"]["low"] = *s.low;
      if (s.high) sj["expected"]["high"] = *s.high;
    }
    if (!s.anomalous_since.empty()) sj["anomalousSince"] = s.anomalous_since;
    if (!s.explanation.empty()) sj["explanation"] = s.explanation;
    if (!s.error.empty()) sj["error"] = s.error;
    j["signals"].push_back(std::move(sj));
  }
  if (st.last_action) j["lastAction"] = ToJson(*st.last_action, false);
  j["activeActions"] = nlohmann::json::array();
  for (const auto& a : st.active_actions) {
    nlohmann::json aj = {{"action", a.action}};
    if (!a.since.empty()) aj["since"] = a.since;
    if (!a.expires.empty()) aj["expires"] = a.expires;
    if (a.previous_replicas >= 0) aj["previousReplicas"] = a.previous_replicas;
    j["activeActions"].push_back(std::move(aj));
  }
  if (st.ladder) {
    j["ladder"] = {{"rule", st.ladder->rule}, {"step", st.ladder->step}};
    if (!st.ladder->verify_at.empty()) j["ladder"]["verifyAt"] = st.ladder->verify_at;
  }
  j["actionsLastHour"] = st.actions_last_hour;
  j["history"] = nlohmann::json::array();
  for (const auto& h : st.history) j["history"].push_back(ToJson(h, true));
  if (!st.active_scenario.empty()) j["activeScenario"] = st.active_scenario;
  if (!st.waiting_on.empty()) {
    j["waitingOn"] = nlohmann::json::array();
    for (const auto& w : st.waiting_on) {
      j["waitingOn"].push_back(
          {{"policy", w.policy}, {"relation", w.relation}, {"rule", w.rule}, {"reason", w.reason}});
    }
  }
  if (!st.engine_state.is_null()) j["engineState"] = st.engine_state;
  return j;
}

HealingPolicyStatus HealingPolicyStatusFromJson(const nlohmann::json& j) {
  HealingPolicyStatus st;
  if (!j.is_object()) return st;
  st.observed_generation = IntegerOr(j, "observedGeneration", 0);
  st.phase = TextOr(j, "phase");
  if (j.contains("conditions") && j["conditions"].is_array()) {
    for (const auto& c : j["conditions"]) st.conditions.push_back(ConditionFromJson(c));
  }
  st.last_evaluation_time = TextOr(j, "lastEvaluationTime");
  if (j.contains("signals") && j["signals"].is_array()) {
    for (const auto& sj : j["signals"]) {
      SignalStatus s;
      s.name = TextOr(sj, "name");
      s.value = ReadOptionalNumber(sj, "value");
      if (sj.contains("expected") && sj["expected"].is_object()) {
        s.low = ReadOptionalNumber(sj["expected"], "low");
        s.high = ReadOptionalNumber(sj["expected"], "high");
      }
      s.score = NumberOr(sj, "score", 0.0);
      s.severity = TextOr(sj, "severity", "normal");
      s.confidence = NumberOr(sj, "confidence", 0.0);
      s.anomalous = BoolOr(sj, "anomalous", false);
      s.anomalous_since = TextOr(sj, "anomalousSince");
      s.explanation = TextOr(sj, "explanation");
      s.error = TextOr(sj, "error");
      st.signals.push_back(std::move(s));
    }
  }
  if (j.contains("lastAction")) st.last_action = ActionRecordFromJson(j["lastAction"]);
  if (j.contains("activeActions") && j["activeActions"].is_array()) {
    for (const auto& aj : j["activeActions"]) {
      ActiveAction a;
      a.action = TextOr(aj, "action");
      a.since = TextOr(aj, "since");
      a.expires = TextOr(aj, "expires");
      a.previous_replicas = IntegerOr(aj, "previousReplicas", -1);
      st.active_actions.push_back(std::move(a));
    }
  }
  if (j.contains("ladder") && j["ladder"].is_object()) {
    st.ladder = LadderState{TextOr(j["ladder"], "rule"), IntegerOr(j["ladder"], "step", 0),
                            TextOr(j["ladder"], "verifyAt")};
  }
  st.actions_last_hour = IntegerOr(j, "actionsLastHour", 0);
  if (j.contains("history") && j["history"].is_array()) {
    for (const auto& h : j["history"]) st.history.push_back(ActionRecordFromJson(h));
  }
  st.active_scenario = TextOr(j, "activeScenario");
  if (j.contains("waitingOn") && j["waitingOn"].is_array()) {
    for (const auto& w : j["waitingOn"]) {
      if (!w.is_object()) continue;
      st.waiting_on.push_back(
          {TextOr(w, "policy"), TextOr(w, "relation"), TextOr(w, "rule"), TextOr(w, "reason")});
    }
  }
  if (j.contains("engineState")) st.engine_state = j["engineState"];
  return st;
}

}  // namespace kubeheal::api
