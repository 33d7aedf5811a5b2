#include "kubeheal/api/fault_scenario.h"

#include <algorithm>

#include "field_reader.h"

namespace kubeheal::api {
namespace {

const std::vector<std::string> kFaultTypes = {"latency",     "httpError",   "abort",      "hang",
                                              "trafficDrop", "cpuBurn",     "memoryLeak", "crash",
                                              "podKill",     "trafficSpike"};

bool IsFaultType(const std::string& s) {
  return std::find(kFaultTypes.begin(), kFaultTypes.end(), s) != kFaultTypes.end();
}

// A fault item sets exactly one of the fault types as a key: {latency: {delayMs: 300}}.
FaultSpec ParseFault(const nlohmann::json& item, const std::string& path,
                     std::vector<std::string>* errors) {
  FaultSpec f;
  FieldReader outer(item, path, errors);
  for (const auto& [key, value] : item.items()) {
    if (IsFaultType(key)) {
      if (!f.type.empty()) {
        outer.Fail("",
                   "each fault must set exactly one of latency, httpError, abort, hang, "
                   "trafficDrop, cpuBurn, memoryLeak, crash, podKill, trafficSpike; found " +
                       f.type + " and " + key);
      }
      f.type = key;
    } else if (key != "match") {
      outer.Fail(key, "unknown fault type");
    }
  }
  if (f.type.empty()) {
    outer.Fail("",
               "each fault must set exactly one of latency, httpError, abort, hang, "
               "trafficDrop, cpuBurn, memoryLeak, crash, podKill, trafficSpike");
    return f;
  }
  auto p = outer.Nested(f.type);
  if (!f.IsProcessFault() && f.IsAgentFault()) {
    f.percent = p.Number("percent", 100, 0, 100);
    if (f.percent <= 0) p.Fail("percent", "must be more than 0 and at most 100");
  }
  if (f.type == "latency") {
    f.delay_ms = p.Integer("delayMs", 0, 0, 600000);
    if (!p.Has("delayMs")) p.Fail("delayMs", "required");
    f.jitter_ms = p.Integer("jitterMs", 0, 0, 600000);
    if (f.jitter_ms > f.delay_ms) p.Fail("jitterMs", "must not exceed delayMs");
  } else if (f.type == "httpError") {
    f.status = p.Integer("status", 503, 400, 599);
    if (!p.Has("status")) p.Fail("status", "required");
    f.body = p.String("body");
  } else if (f.type == "crash") {
    f.exit_code = p.Integer("exitCode", 1, 0, 255);
    f.delay_ms = p.Integer("delayMs", 100, 0, 600000);
  } else if (f.type == "cpuBurn") {
    f.threads = p.Integer("threads", 1, 1, 64);
    f.duty_percent = p.Integer("dutyPercent", 100, 1, 100);
  } else if (f.type == "memoryLeak") {
    f.mb_per_second = p.Number("mbPerSecond", 0, 0, 1024);
    f.cap_mb = p.Integer("capMb", 0, 0, 16384);
    if (f.mb_per_second <= 0) p.Fail("mbPerSecond", "required, more than 0");
    if (f.cap_mb <= 0) p.Fail("capMb", "required, at least 1");
  } else if (f.type == "podKill") {
    f.grace_period_seconds = p.Integer("gracePeriodSeconds", 0, 0, 300);
    f.interval = p.Duration("interval", Millis(0));
    if (p.Has("interval") && f.interval < std::chrono::seconds(5)) {
      p.Fail("interval", "must be at least 5s");
    }
  } else if (f.type == "trafficSpike") {
    f.generator = p.Nested("generatorRef", true).String("name", true);
    f.replicas = p.Integer("replicas", 0, 1, 100);
    if (!p.Has("replicas")) p.Fail("replicas", "required");
  }
  if (const auto* m = outer.Raw("match")) {
    if (f.type != "latency" && f.type != "httpError" && f.type != "abort" && f.type != "hang") {
      outer.Fail("match", "only applies to latency, httpError, abort and hang faults");
    } else if (!m->is_object()) {
      outer.Fail("match", "must be an object");
    } else {
      auto mr = outer.Nested("match");
      const auto prefix = mr.String("pathPrefix");
      if (!prefix.empty() && prefix[0] != '/') mr.Fail("pathPrefix", "must start with /");
      f.match = *m;
    }
  }
  return f;
}

void ParseSelector(FieldReader sel, FaultScenarioSpec* s) {
  if (const auto* labels = sel.Raw("matchLabels"); labels != nullptr) {
    if (!labels->is_object())
      sel.Fail("matchLabels", "must be a map of label to value");
    else {
      for (const auto& [k, v] : labels->items()) {
        if (v.is_string())
          s->match_labels[k] = v.get<std::string>();
        else
          sel.Fail("matchLabels." + k, "must be a string");
      }
    }
  }
  const auto& exprs = sel.Array("matchExpressions");
  for (size_t i = 0; i < exprs.size(); ++i) {
    auto er = sel.Element("matchExpressions", exprs[i], i);
    LabelRequirement r;
    r.key = er.String("key", true);
    r.op = er.Enum("operator", {"In", "NotIn", "Exists", "DoesNotExist"}, "", true);
    r.values = er.StringList("values");
    if ((r.op == "In" || r.op == "NotIn") && r.values.empty()) {
      er.Fail("values", "required for operator " + r.op);
    }
    s->match_expressions.push_back(std::move(r));
  }
  if (s->match_labels.empty() && s->match_expressions.empty()) {
    sel.Fail("",
             "must set matchLabels or matchExpressions (an empty selector would match "
             "every pod)");
  }
}

}  // namespace

std::string FaultScenarioSpec::LabelSelector() const {
  std::string out;
  auto add = [&](const std::string& term) { out += (out.empty() ? "" : ",") + term; };
  for (const auto& [k, v] : match_labels) add(k + "=" + v);
  for (const auto& r : match_expressions) {
    std::string values;
    for (const auto& v : r.values) values += (values.empty() ? "" : ",") + v;
    if (r.op == "In")
      add(r.key + " in (" + values + ")");
    else if (r.op == "NotIn")
      add(r.key + " notin (" + values + ")");
    else if (r.op == "Exists")
      add(r.key);
    else if (r.op == "DoesNotExist")
      add("!" + r.key);
  }
  return out;
}

Result<FaultScenario> FaultScenarioFromJson(const nlohmann::json& object) {
  if (!object.is_object()) {
    return Error::Terminal("Invalid", "FaultScenario: expected a JSON object");
  }
  FaultScenario sc;
  sc.metadata = ObjectMetaFromJson(object.value("metadata", nlohmann::json::object()));
  std::vector<std::string> errors;
  FieldReader root(object, "", &errors);
  auto spec = root.Nested("spec", true);
  auto& s = sc.spec;
  ParseSelector(spec.Nested("selector", true), &s);
  s.mode = spec.Enum("mode", {"all", "one", "fixed", "percent"}, "one");
  s.value = spec.Integer("value", 0, 1, 10000);
  if (s.mode == "fixed" && s.value < 1) spec.Fail("value", "required (>= 1) for mode fixed");
  if (s.mode == "percent" && (s.value < 1 || s.value > 100)) {
    spec.Fail("value", "must be between 1 and 100 for mode percent");
  }
  const auto& faults = spec.Array("faults", true);
  for (size_t i = 0; i < faults.size(); ++i) {
    const std::string path = "spec.faults[" + std::to_string(i) + "]";
    if (!faults[i].is_object()) {
      errors.push_back(path + ": must be an object");
      continue;
    }
    s.faults.push_back(ParseFault(faults[i], path, &errors));
  }
  s.duration = spec.Duration("duration", Millis(0), true);
  if (spec.Has("duration") &&
      (s.duration < std::chrono::seconds(1) || s.duration > kMaxScenarioDuration)) {
    spec.Fail("duration", "must be between 1s and 1h");
  }
  s.start_time = spec.String("startTime");
  if (!s.start_time.empty() && !ParseRfc3339(s.start_time).ok()) {
    spec.Fail("startTime", "must be an RFC 3339 time such as 2026-11-22T08:00:00Z");
  }
  if (spec.Has("expect")) {
    auto e = spec.Nested("expect");
    ScenarioExpectation x;
    x.policy = e.Nested("policyRef", true).String("name", true);
    x.detect_within = e.Duration("detectWithin", x.detect_within);
    x.heal_within = e.Duration("healWithin", x.heal_within);
    if (x.detect_within > x.heal_within) {
      e.Fail("detectWithin", "must not exceed healWithin");
    }
    x.actions = e.StringList("actions");
    s.expect = x;
  }
  if (!errors.empty()) return InvalidObject("FaultScenario " + sc.metadata.Key(), errors);
  if (object.contains("status")) sc.status = FaultScenarioStatusFromJson(object["status"]);
  return sc;
}

nlohmann::json ToJson(const FaultScenarioStatus& st) {
  nlohmann::json j = nlohmann::json::object();
  j["observedGeneration"] = st.observed_generation;
  if (!st.phase.empty()) j["phase"] = st.phase;
  j["conditions"] = nlohmann::json::array();
  for (const auto& c : st.conditions) j["conditions"].push_back(ToJson(c));
  j["targets"] = nlohmann::json::array();
  for (const auto& t : st.targets) {
    nlohmann::json tj = {{"pod", t.pod}, {"ip", t.ip}, {"injected", t.injected}};
    if (!t.fault_ids.empty()) tj["faultIds"] = t.fault_ids;
    if (!t.killed_at.empty()) tj["killedAt"] = t.killed_at;
    if (!t.error.empty()) tj["error"] = t.error;
    j["targets"].push_back(std::move(tj));
  }
  auto put = [&](const char* key, const std::string& v) {
    if (!v.empty()) j[key] = v;
  };
  put("startTime", st.start_time);
  put("endTime", st.end_time);
  put("detectedTime", st.detected_time);
  put("recoveredTime", st.recovered_time);
  put("verdict", st.verdict);
  put("verdictReason", st.verdict_reason);
  put("mttd", st.mttd);
  put("mttr", st.mttr);
  if (st.mttd_seconds) j["mttdSeconds"] = *st.mttd_seconds;
  if (st.mttr_seconds) j["mttrSeconds"] = *st.mttr_seconds;
  if (!st.actions_observed.empty()) j["actionsObserved"] = st.actions_observed;
  return j;
}

FaultScenarioStatus FaultScenarioStatusFromJson(const nlohmann::json& j) {
  FaultScenarioStatus st;
  if (!j.is_object()) return st;
  st.observed_generation = IntegerOr(j, "observedGeneration", 0);
  st.phase = TextOr(j, "phase");
  if (j.contains("conditions") && j["conditions"].is_array()) {
    for (const auto& c : j["conditions"]) st.conditions.push_back(ConditionFromJson(c));
  }
  if (j.contains("targets") && j["targets"].is_array()) {
    for (const auto& tj : j["targets"]) {
      ScenarioTarget t;
      t.pod = TextOr(tj, "pod");
      t.ip = TextOr(tj, "ip");
      t.injected = BoolOr(tj, "injected", false);
      if (tj.contains("faultIds") && tj["faultIds"].is_array()) {
        for (const auto& id : tj["faultIds"]) {
          if (id.is_string()) t.fault_ids.push_back(id.get<std::string>());
        }
      }
      t.killed_at = TextOr(tj, "killedAt");
      t.error = TextOr(tj, "error");
      st.targets.push_back(std::move(t));
    }
  }
  st.start_time = TextOr(j, "startTime");
  st.end_time = TextOr(j, "endTime");
  st.detected_time = TextOr(j, "detectedTime");
  st.recovered_time = TextOr(j, "recoveredTime");
  st.verdict = TextOr(j, "verdict");
  st.verdict_reason = TextOr(j, "verdictReason");
  st.mttd = TextOr(j, "mttd");
  st.mttr = TextOr(j, "mttr");
  if (j.contains("mttdSeconds") && j["mttdSeconds"].is_number()) {
    st.mttd_seconds = j["mttdSeconds"].get<double>();
  }
  if (j.contains("mttrSeconds") && j["mttrSeconds"].is_number()) {
    st.mttr_seconds = j["mttrSeconds"].get<double>();
  }
  if (j.contains("actionsObserved") && j["actionsObserved"].is_array()) {
    for (const auto& a : j["actionsObserved"]) {
      if (a.is_string()) st.actions_observed.push_back(a.get<std::string>());
    }
  }
  return st;
}

}  // namespace kubeheal::api
