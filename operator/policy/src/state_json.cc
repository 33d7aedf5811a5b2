#include "kubeheal/policy/state_json.h"

#include <cmath>
#include <cstdio>
#include <ctime>
#include <limits>
#include <stdexcept>

namespace kubeheal::policy {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;

// ---- writing ----

std::string TimeText(Clock::TimePoint t) {
  const auto ms = std::chrono::duration_cast<milliseconds>(t.time_since_epoch()).count();
  const long long secs = ms >= 0 ? ms / 1000 : (ms - 999) / 1000;
  const int frac = static_cast<int>(ms - secs * 1000);
  std::string text = FormatRfc3339(Clock::TimePoint(std::chrono::seconds(secs)));
  if (frac != 0) {
    char buf[8];
    std::snprintf(buf, sizeof buf, ".%03d", frac);
    text.insert(text.size() - 1, buf);
  }
  return text;
}

// NaN and infinities are not JSON numbers: written as null, read back as NaN.
json Number(double v) { return std::isfinite(v) ? json(v) : json(nullptr); }

json ToJson(const ActionParameters& p, ActionType type) {
  json j = json::object();
  switch (type) {
    case ActionType::kThrottle:
      j = {{"rps", p.rps}, {"burst", p.burst}};
      break;
    case ActionType::kCircuitBreak:
      j = {{"durationSeconds", p.circuit_duration.count()}, {"halfOpenProbes", p.half_open_probes}};
      break;
    case ActionType::kScale:
      j = {{"fromReplicas", p.from_replicas}, {"toReplicas", p.to_replicas}};
      break;
    case ActionType::kRestart:
      j = {{"mode", RestartModeName(p.restart_mode)}};
      break;
    case ActionType::kAlert:
      if (!p.webhook_url.empty()) j["webhookURL"] = p.webhook_url;
      break;
  }
  return j;
}

json ToJson(const Evidence& e) {
  return {{"signal", e.signal},
          {"query", e.query},
          {"value", Number(e.value)},
          {"expectedLow", Number(e.expected_low)},
          {"expectedHigh", Number(e.expected_high)},
          {"score", Number(e.score)},
          {"severity", SeverityName(e.severity)},
          {"explanation", e.explanation}};
}

json ToJson(const TemporaryAction& t) {
  json j = {{"decision", t.decision_id},
            {"rule", t.rule},
            {"pattern", PatternName(t.pattern)},
            {"action", ActionTypeName(t.action)},
            {"parameters", ToJson(t.parameters, t.action)},
            {"dryRun", t.dry_run},
            {"appliedAt", TimeText(t.applied_at)},
            {"attempt", t.attempt}};
  if (t.revert_not_before) j["revertNotBefore"] = TimeText(*t.revert_not_before);
  return j;
}

// ---- reading: every accessor names the field it failed on ----

struct Reader {
  const json& j;
  std::string where;

  [[noreturn]] void Fail(const std::string& key, const std::string& what) const {
    throw std::invalid_argument(where + (where.empty() ? "" : ".") + key + ": " + what);
  }
  const json* Get(const std::string& key, bool required) const {
    if (!j.is_object())
      throw std::invalid_argument((where.empty() ? "state" : where) + ": not an object");
    const auto it = j.find(key);
    if (it == j.end() || it->is_null()) {
      if (required) Fail(key, "missing");
      return nullptr;
    }
    return &*it;
  }
  std::string Str(const std::string& key, bool required = true) const {
    const json* v = Get(key, required);
    if (!v) return "";
    if (!v->is_string()) Fail(key, "not a string");
    return v->get<std::string>();
  }
  double Num(const std::string& key) const {
    const json* v = Get(key, false);
    if (!v) return std::numeric_limits<double>::quiet_NaN();
    if (!v->is_number()) Fail(key, "not a number");
    return v->get<double>();
  }
  long long Int(const std::string& key, long long fallback = 0) const {
    const json* v = Get(key, false);
    if (!v) return fallback;
    if (!v->is_number_integer()) Fail(key, "not an integer");
    return v->get<long long>();
  }
  bool Bool(const std::string& key) const {
    const json* v = Get(key, false);
    if (!v) return false;
    if (!v->is_boolean()) Fail(key, "not a boolean");
    return v->get<bool>();
  }
  std::optional<Clock::TimePoint> OptTime(const std::string& key) const {
    const json* v = Get(key, false);
    if (!v) return std::nullopt;
    if (!v->is_string()) Fail(key, "not an RFC 3339 time");
    const std::string s = v->get<std::string>();
    std::tm tm{};
    int ms = 0;
    char tail[8] = {0};
    const int n = std::sscanf(s.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%7s", &tm.tm_year, &tm.tm_mon,
                              &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec, tail);
    std::string rest = n == 7 ? tail : "";
    if (rest.size() == 5 && rest[0] == '.' && rest[4] == 'Z') {
      ms = std::atoi(rest.substr(1, 3).c_str());
      rest = "Z";
    }
    if (n != 7 || rest != "Z") Fail(key, "not an RFC 3339 UTC time: \"" + s + "\"");
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    return Clock::TimePoint(std::chrono::seconds(timegm(&tm))) + milliseconds(ms);
  }
  Clock::TimePoint Time(const std::string& key) const {
    auto t = OptTime(key);
    if (!t) Fail(key, "missing");
    return *t;
  }
  template <typename Enum>
  Enum EnumOf(const std::string& key, std::optional<Enum> (*parse)(std::string_view)) const {
    const std::string s = Str(key);
    const auto v = parse(s);
    if (!v) Fail(key, "unknown value \"" + s + "\"");
    return *v;
  }
  const json& Array(const std::string& key) const {
    static const json kEmpty = json::array();
    const json* v = Get(key, false);
    if (!v) return kEmpty;
    if (!v->is_array()) Fail(key, "not an array");
    return *v;
  }
  Reader At(const std::string& key, size_t i) const {
    return Reader{Array(key)[i],
                  (where.empty() ? "" : where + ".") + key + "[" + std::to_string(i) + "]"};
  }
  Reader Child(const std::string& key) const {
    static const json kEmpty = json::object();
    const json* v = Get(key, false);
    return Reader{v ? *v : kEmpty, (where.empty() ? "" : where + ".") + key};
  }
};

ActionParameters ParametersFrom(const Reader& r, ActionType type) {
  ActionParameters p;
  switch (type) {
    case ActionType::kThrottle:
      p.rps = r.Num("rps");
      p.burst = static_cast<int>(r.Int("burst"));
      break;
    case ActionType::kCircuitBreak:
      p.circuit_duration = Seconds(r.Int("durationSeconds"));
      p.half_open_probes = static_cast<int>(r.Int("halfOpenProbes"));
      break;
    case ActionType::kScale:
      p.from_replicas = static_cast<int>(r.Int("fromReplicas"));
      p.to_replicas = static_cast<int>(r.Int("toReplicas"));
      break;
    case ActionType::kRestart:
      p.restart_mode = r.EnumOf<RestartMode>("mode", ParseRestartMode);
      break;
    case ActionType::kAlert:
      p.webhook_url = r.Str("webhookURL", false);
      break;
  }
  return p;
}

Evidence EvidenceFrom(const Reader& r) {
  return Evidence{r.Str("signal"),
                  r.Str("query", false),
                  r.Num("value"),
                  r.Num("expectedLow"),
                  r.Num("expectedHigh"),
                  r.Num("score"),
                  r.EnumOf<Severity>("severity", ParseSeverity),
                  r.Str("explanation", false)};
}

Decision DecisionFrom(const Reader& r) {
  Decision d;
  d.id = r.Str("id");
  d.action = r.EnumOf<ActionType>("action", ParseActionType);
  d.parameters = ParametersFrom(r.Child("parameters"), d.action);
  d.rule = r.Str("rule", false);
  d.pattern = r.EnumOf<Pattern>("pattern", ParsePattern);
  d.rung = static_cast<int>(r.Int("rung"));
  d.reason = r.Str("reason", false);
  for (size_t i = 0; i < r.Array("evidence").size(); ++i)
    d.evidence.push_back(EvidenceFrom(r.At("evidence", i)));
  d.dry_run = r.Bool("dryRun");
  d.revert = r.Bool("revert");
  d.attempt = static_cast<int>(r.Int("attempt", 1));
  d.decided_at = r.Time("decidedAt");
  return d;
}

TemporaryAction TemporaryFrom(const Reader& r) {
  TemporaryAction t;
  t.decision_id = r.Str("decision");
  t.rule = r.Str("rule", false);
  t.pattern = r.EnumOf<Pattern>("pattern", ParsePattern);
  t.action = r.EnumOf<ActionType>("action", ParseActionType);
  t.parameters = ParametersFrom(r.Child("parameters"), t.action);
  t.dry_run = r.Bool("dryRun");
  t.applied_at = r.Time("appliedAt");
  t.revert_not_before = r.OptTime("revertNotBefore");
  t.attempt = static_cast<int>(r.Int("attempt", 1));
  return t;
}

}  // namespace

json DecisionToJson(const Decision& d) {
  json evidence = json::array();
  for (const auto& e : d.evidence) evidence.push_back(ToJson(e));
  return {{"id", d.id},
          {"action", ActionTypeName(d.action)},
          {"parameters", ToJson(d.parameters, d.action)},
          {"rule", d.rule},
          {"pattern", PatternName(d.pattern)},
          {"rung", d.rung},
          {"reason", d.reason},
          {"evidence", evidence},
          {"dryRun", d.dry_run},
          {"revert", d.revert},
          {"attempt", d.attempt},
          {"decidedAt", TimeText(d.decided_at)}};
}

json PolicyStateToJson(const PolicyState& s) {
  json j = {{"phase", PhaseName(s.phase)},
            {"phaseSince", TimeText(s.phase_since)},
            {"nextSequence", s.next_sequence}};
  json holds = json::array();
  for (const auto& h : s.holds)
    holds.push_back({{"signal", h.signal}, {"anomalousSince", TimeText(h.anomalous_since)}});
  j["holds"] = holds;
  json episodes = json::array();
  for (const auto& e : s.episodes) {
    json ej = {{"rule", e.rule},
               {"pattern", PatternName(e.pattern)},
               {"startedAt", TimeText(e.started_at)},
               {"rung", e.rung},
               {"lastDecision", e.last_decision_id},
               {"exhausted", e.exhausted}};
    if (e.verify_at) ej["verifyAt"] = TimeText(*e.verify_at);
    if (e.normal_since) ej["normalSince"] = TimeText(*e.normal_since);
    if (e.recovered_at) ej["recoveredAt"] = TimeText(*e.recovered_at);
    json temporaries = json::array();
    for (const auto& t : e.temporaries) temporaries.push_back(ToJson(t));
    ej["temporaries"] = temporaries;
    episodes.push_back(ej);
  }
  j["episodes"] = episodes;
  json reverts = json::array();
  for (const auto& t : s.pending_reverts) reverts.push_back(ToJson(t));
  j["pendingReverts"] = reverts;
  json recent = json::array();
  for (const auto& t : s.recent_actions) recent.push_back(TimeText(t));
  j["recentActions"] = recent;
  json cooldowns = json::array();
  for (const auto& c : s.cooldowns)
    cooldowns.push_back({{"action", ActionTypeName(c.action)}, {"lastAt", TimeText(c.last_at)}});
  j["cooldowns"] = cooldowns;
  if (s.last_detected_at) j["lastDetectedAt"] = TimeText(*s.last_detected_at);
  if (s.last_recovered_at) j["lastRecoveredAt"] = TimeText(*s.last_recovered_at);
  json history = json::array();
  for (const auto& h : s.history) {
    history.push_back({{"decision", DecisionToJson(h.decision)},
                       {"outcome", OutcomeName(h.outcome)},
                       {"message", h.message}});
  }
  j["history"] = history;
  return j;
}

Result<PolicyState> PolicyStateFromJson(const json& j) {
  try {
    const Reader r{j, ""};
    PolicyState s;
    s.phase = r.EnumOf<Phase>("phase", ParsePhase);
    s.phase_since = r.Time("phaseSince");
    const long long seq = r.Int("nextSequence", 1);
    if (seq < 1) r.Fail("nextSequence", "must be at least 1");
    s.next_sequence = static_cast<uint64_t>(seq);
    for (size_t i = 0; i < r.Array("holds").size(); ++i) {
      const Reader h = r.At("holds", i);
      s.holds.push_back({h.Str("signal"), h.Time("anomalousSince")});
    }
    for (size_t i = 0; i < r.Array("episodes").size(); ++i) {
      const Reader e = r.At("episodes", i);
      Episode ep;
      ep.rule = e.Str("rule");
      ep.pattern = e.EnumOf<Pattern>("pattern", ParsePattern);
      ep.started_at = e.Time("startedAt");
      ep.rung = static_cast<int>(e.Int("rung", -1));
      ep.last_decision_id = e.Str("lastDecision", false);
      ep.verify_at = e.OptTime("verifyAt");
      ep.normal_since = e.OptTime("normalSince");
      ep.recovered_at = e.OptTime("recoveredAt");
      ep.exhausted = e.Bool("exhausted");
      for (size_t k = 0; k < e.Array("temporaries").size(); ++k) {
        ep.temporaries.push_back(TemporaryFrom(e.At("temporaries", k)));
      }
      s.episodes.push_back(std::move(ep));
    }
    for (size_t i = 0; i < r.Array("pendingReverts").size(); ++i) {
      s.pending_reverts.push_back(TemporaryFrom(r.At("pendingReverts", i)));
    }
    const json& recent = r.Array("recentActions");
    for (size_t i = 0; i < recent.size(); ++i) {
      const json wrapped = {{"t", recent[i]}};
      const Reader holder{wrapped, "recentActions[" + std::to_string(i) + "]"};
      s.recent_actions.push_back(holder.Time("t"));
    }
    for (size_t i = 0; i < r.Array("cooldowns").size(); ++i) {
      const Reader c = r.At("cooldowns", i);
      s.cooldowns.push_back({c.EnumOf<ActionType>("action", ParseActionType), c.Time("lastAt")});
    }
    s.last_detected_at = r.OptTime("lastDetectedAt");
    s.last_recovered_at = r.OptTime("lastRecoveredAt");
    for (size_t i = 0; i < r.Array("history").size(); ++i) {
      const Reader h = r.At("history", i);
      s.history.push_back({DecisionFrom(h.Child("decision")),
                           h.EnumOf<Outcome>("outcome", ParseOutcome), h.Str("message", false)});
    }
    return s;
  } catch (const std::exception& e) {
    return Error::Terminal("InvalidState", std::string("policy state: ") + e.what());
  }
}

}  // namespace kubeheal::policy
