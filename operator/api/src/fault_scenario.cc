#include "kubeheal/api/fault_scenario.h"

#include <algorithm>

#include "field_reader.h"

namespace kubeheal::api {
namespace {

const std::vector<std::string> kFaultTypes = {"latency",  "httpError",  "abort", "hang",
                                              "trafficDrop", "cpuBurn", "memoryLeak", "crash",
                                              "podKill"};

bool IsFaultType(const std::string& s) {
  return std::find(kFaultTypes.begin(), kFaultTypes.end(), s) != kFaultTypes.end();
}

// A fault is written either as {type: latency, latency: {delay: 200ms}, percent: 50} or, more
// briefly, as {latency: {delay: 200ms, percent: 50}}; parameters may also sit beside `type`.
FaultSpec ParseFault(const nlohmann::json& item, const std::string& path,
                     std::vector<std::string>* errors) {
  FaultSpec f;
  FieldReader outer(item, path, errors);
  if (outer.Has("type")) {
    f.type = outer.Enum("type", kFaultTypes, "", true);
  } else {
    for (const auto& [key, value] : item.items()) {
      if (IsFaultType(key)) {
        if (!f.type.empty()) outer.Fail("", "exactly one fault type per item, found " + f.type +
                                                " and " + key);
        f.type = key;
      }
    }
    if (f.type.empty()) {
      outer.Fail("type", "required: one of latency, httpError, abort, hang, trafficDrop, "
                         "cpuBurn, memoryLeak, crash, podKill");
      return f;
    }
  }
  if (f.type.empty()) return f;
  const bool nested = outer.Has(f.type) && item.at(f.type).is_object();
  FieldReader p = nested ? outer.Nested(f.type) : outer;
  auto read_percent = [&](FieldReader& r) {
    if (!r.Has("percent")) return;
    f.percent = r.Number("percent", 100, 0, 100);
    if (f.percent <= 0) r.Fail("percent", "must be more than 0 and at most 100");
  };
  read_percent(outer);
  if (nested) read_percent(p);
  if (f.IsProcessFault() && (outer.Has("percent") || (nested && p.Has("percent")))) {
    outer.Fail("percent", "not allowed for process fault " + f.type);
  }
  if (f.type == "latency") {
    f.delay = p.Duration("delay", Millis(0), true);
    f.jitter = p.Duration("jitter", Millis(0));
    if (f.delay > std::chrono::minutes(10)) p.Fail("delay", "must be at most 10m");
  } else if (f.type == "httpError") {
    f.status = p.Integer("status", 503, 400, 599);
  } else if (f.type == "crash") {
    f.exit_code = p.Integer("exitCode", 1, 0, 255);
    f.delay = p.Duration("delay", Millis(100));
  } else if (f.type == "cpuBurn") {
    f.threads = p.Integer("threads", 1, 1, 64);
    f.duty_percent = p.Integer("dutyPercent", 100, 1, 100);
  } else if (f.type == "memoryLeak") {
    f.mb_per_second = p.Number("mbPerSecond", p.Number("rate", 0, 0, 1024), 0, 1024);
    f.cap_mb = p.Integer("capMb", p.Integer("cap", 0, 0, 16384), 0, 16384);
    if (f.mb_per_second <= 0) p.Fail("mbPerSecond", "required, more than 0");
    if (f.cap_mb <= 0) p.Fail("capMb", "required, at least 1");
  } else if (f.type == "podKill") {
    f.interval = p.Duration("interval", Millis(0));
  }
  if (p.Has("match")) {
    auto m = p.Nested("match");
    f.match_method = m.String("method");
    f.match_path_prefix = m.String("pathPrefix");
    if (!f.match_path_prefix.empty() && f.match_path_prefix[0] != '/') {
      m.Fail("pathPrefix", "must start with /");
    }
  }
  return f;
}

}  // namespace

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
  {
    // selector: {matchLabels: {...}} or a plain label map
    const auto* raw = spec.Raw("selector");
    if (raw == nullptr || !raw->is_object()) {
      spec.Fail("selector", "required: the labels of the target pods");
    } else {
      const auto& labels = raw->contains("matchLabels") ? raw->at("matchLabels") : *raw;
      for (const auto& [k, v] : labels.items()) {
        if (v.is_string()) s.selector[k] = v.get<std::string>();
        else spec.Fail("selector", "label " + k + " must have a string value");
      }
      if (s.selector.empty()) spec.Fail("selector", "must name at least one label");
    }
  }
  s.mode = spec.Enum("mode", {"all", "one", "fixed", "percent"}, "all");
  s.value = spec.Integer("value", 0, 0, 100000);
  if (s.mode == "fixed" && s.value < 1) spec.Fail("value", "mode fixed needs value >= 1");
  if (s.mode == "percent" && (s.value < 1 || s.value > 100)) {
    spec.Fail("value", "mode percent needs value between 1 and 100");
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
  if (spec.Has("duration") && (s.duration <= Millis(0) || s.duration > kMaxScenarioDuration)) {
    spec.Fail("duration", "must be more than 0s and at most 24h");
  }
  s.start_time = spec.String("startTime");
  if (!s.start_time.empty() && !ParseRfc3339(s.start_time).ok()) {
    spec.Fail("startTime", "must be an RFC 3339 time such as 2026-11-22T08:00:00Z");
  }
  if (spec.Has("expect")) {
    auto e = spec.Nested("expect");
    ScenarioExpectation x;
    x.policy = e.String("policy", false);
    if (x.policy.empty()) x.policy = e.String("healingPolicy", true);
    x.detect_within = e.Duration("detectWithin", x.detect_within);
    x.heal_within = e.Duration("healWithin", e.Duration("recoverWithin", x.heal_within));
    x.action = e.String("action");
    s.expect = x;
  }
  if (!errors.empty()) return InvalidObject("FaultScenario " + sc.metadata.Key(), errors);
  if (object.contains("status")) sc.status = FaultScenarioStatusFromJson(object["status"]);
  return sc;
}

nlohmann::json ToJson(const FaultScenarioStatus& st) {
  nlohmann::json j = nlohmann::json::object();
  j["observedGeneration"] = st.observed_generation;
  j["phase"] = st.phase;
  j["conditions"] = nlohmann::json::array();
  for (const auto& c : st.conditions) j["conditions"].push_back(ToJson(c));
  j["targets"] = nlohmann::json::array();
  for (const auto& t : st.targets) {
    nlohmann::json tj = {{"pod", t.pod}, {"ip", t.ip}, {"injected", t.injected}};
    if (!t.error.empty()) tj["error"] = t.error;
    j["targets"].push_back(std::move(tj));
  }
  if (!st.start_time.empty()) j["startTime"] = st.start_time;
  if (!st.end_time.empty()) j["endTime"] = st.end_time;
  if (!st.last_renew_time.empty()) j["lastRenewTime"] = st.last_renew_time;
  if (!st.message.empty()) j["message"] = st.message;
  if (st.verdict) {
    const auto& v = *st.verdict;
    nlohmann::json vj = {{"result", v.result}, {"reason", v.reason}};
    if (!v.detected_at.empty()) vj["detectedAt"] = v.detected_at;
    if (!v.recovered_at.empty()) vj["recoveredAt"] = v.recovered_at;
    if (v.mttd_seconds) vj["mttdSeconds"] = *v.mttd_seconds;
    if (v.mttr_seconds) vj["mttrSeconds"] = *v.mttr_seconds;
    if (!v.action.empty()) vj["action"] = v.action;
    j["verdict"] = std::move(vj);
  }
  return j;
}

FaultScenarioStatus FaultScenarioStatusFromJson(const nlohmann::json& j) {
  FaultScenarioStatus st;
  if (!j.is_object()) return st;
  st.observed_generation = j.value("observedGeneration", int64_t{0});
  st.phase = j.value("phase", "");
  if (j.contains("conditions") && j["conditions"].is_array()) {
    for (const auto& c : j["conditions"]) st.conditions.push_back(ConditionFromJson(c));
  }
  if (j.contains("targets") && j["targets"].is_array()) {
    for (const auto& tj : j["targets"]) {
      st.targets.push_back(ScenarioTarget{tj.value("pod", ""), tj.value("ip", ""),
                                          tj.value("injected", false), tj.value("error", "")});
    }
  }
  st.start_time = j.value("startTime", "");
  st.end_time = j.value("endTime", "");
  st.last_renew_time = j.value("lastRenewTime", "");
  st.message = j.value("message", "");
  if (j.contains("verdict") && j["verdict"].is_object()) {
    const auto& vj = j["verdict"];
    Verdict v;
    v.result = vj.value("result", "");
    v.reason = vj.value("reason", "");
    v.detected_at = vj.value("detectedAt", "");
    v.recovered_at = vj.value("recoveredAt", "");
    if (vj.contains("mttdSeconds") && vj["mttdSeconds"].is_number()) {
      v.mttd_seconds = vj["mttdSeconds"].get<double>();
    }
    if (vj.contains("mttrSeconds") && vj["mttrSeconds"].is_number()) {
      v.mttr_seconds = vj["mttrSeconds"].get<double>();
    }
    v.action = vj.value("action", "");
    st.verdict = v;
  }
  return st;
}

}  // namespace kubeheal::api
