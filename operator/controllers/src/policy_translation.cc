#include "kubeheal/controllers/policy_translation.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <sstream>

namespace kubeheal::controllers {
namespace {

void ReplaceAll(std::string* s, const std::string& from, const std::string& to) {
  size_t pos = 0;
  while ((pos = s->find(from, pos)) != std::string::npos) {
    s->replace(pos, from.size(), to);
    pos += to.size();
  }
}

policy::Seconds ToSeconds(api::Millis d) {
  return std::chrono::duration_cast<policy::Seconds>(d + std::chrono::milliseconds(500));
}

// The engine judges every action after a positive wait; the CRD lets alert say 0s ("do not
// wait"), which is the shortest wait the engine knows.
policy::Seconds VerifyAfter(api::Millis d) { return std::max(policy::Seconds(1), ToSeconds(d)); }

policy::Pattern PatternOf(const std::string& name) {
  return policy::ParsePattern(name).value_or(policy::Pattern::kCustom);
}

}  // namespace

std::string RenderQuery(const std::string& query_template, const QueryContext& c) {
  std::string q = query_template;
  ReplaceAll(&q, "{{namespace}}", c.namespace_);
  ReplaceAll(&q, "{{workload}}", c.workload);
  ReplaceAll(&q, "{{pod}}", c.pod_regex);
  ReplaceAll(&q, "{{window}}", c.window);
  return q;
}

std::optional<std::string> AddedSloSignal(const api::HealingPolicySpec& spec) {
  if (!spec.slo) return std::nullopt;
  for (const auto& s : spec.signals) {
    if (s.detector == "burnRate" || s.name == kAddedSloSignal) return std::nullopt;
  }
  return std::string(kAddedSloSignal);
}

policy::PolicySpec ToPolicySpec(const api::HealingPolicy& p, const QueryContext& context) {
  policy::PolicySpec spec;
  spec.namespace_name = p.metadata.namespace_;
  spec.name = p.metadata.name;
  for (const auto& s : p.spec.signals) {
    policy::SignalSpec out;
    out.name = s.name;
    out.query = RenderQuery(s.query, context);
    out.pattern = PatternOf(s.pattern);
    out.hold_for = ToSeconds(s.hold_for);
    spec.signals.push_back(std::move(out));
  }
  if (auto slo = AddedSloSignal(p.spec)) {
    policy::SignalSpec out;
    out.name = *slo;
    out.query = RenderQuery(p.spec.slo->total_query, context);
    out.pattern = policy::Pattern::kErrors;
    spec.signals.push_back(std::move(out));
  }
  for (const auto& r : p.spec.rules) {
    policy::Rule rule;
    rule.name = r.name;
    rule.pattern = PatternOf(r.pattern);
    rule.signals = r.signals;
    rule.match = policy::ParseMatch(r.match).value_or(policy::Match::kAny);
    for (const auto& u : r.unless) {
      if (auto up = policy::ParsePattern(u)) rule.unless.push_back(*up);
    }
    rule.min_severity = policy::ParseSeverity(r.min_severity).value_or(policy::Severity::kWarning);
    for (const auto& a : r.actions) {
      if (auto t = policy::ParseActionType(a)) rule.actions.push_back(*t);
    }
    spec.rules.push_back(std::move(rule));
  }
  const auto& a = p.spec.actions;
  spec.actions.throttle.rps = static_cast<double>(a.throttle.rps);
  spec.actions.throttle.burst = static_cast<int>(a.throttle.burst);
  spec.actions.throttle.max_duration = ToSeconds(a.throttle.max_duration);
  spec.actions.throttle.verify_after = VerifyAfter(a.throttle.verify_after);
  spec.actions.circuit_break.duration = ToSeconds(a.circuit_break.duration);
  spec.actions.circuit_break.half_open_probes = static_cast<int>(a.circuit_break.half_open_probes);
  spec.actions.circuit_break.verify_after = VerifyAfter(a.circuit_break.verify_after);
  spec.actions.scale.step = static_cast<int>(a.scale.step);
  spec.actions.scale.min_replicas = static_cast<int>(a.scale.min_replicas);
  spec.actions.scale.max_replicas = static_cast<int>(a.scale.max_replicas);
  spec.actions.scale.scale_back_after = ToSeconds(a.scale.scale_back_after);
  spec.actions.scale.verify_after = VerifyAfter(a.scale.verify_after);
  spec.actions.restart.mode =
      a.restart.mode == "pod" ? policy::RestartMode::kOnePod : policy::RestartMode::kRolling;
  spec.actions.restart.verify_after = VerifyAfter(a.restart.verify_after);
  spec.actions.alert.webhook_url = a.alert.webhook_url;
  spec.actions.alert.verify_after = VerifyAfter(a.alert.verify_after);
  spec.guardrails.cooldown = ToSeconds(p.spec.cooldown);
  spec.guardrails.max_actions_per_hour = static_cast<int>(p.spec.max_actions_per_hour);
  spec.guardrails.dry_run = p.spec.dry_run;
  spec.guardrails.suspend = p.spec.suspend;
  return spec;
}

std::map<std::string, std::string> ToDetectorParams(const nlohmann::json& params) {
  std::map<std::string, std::string> out;
  if (!params.is_object()) return out;
  for (const auto& [key, value] : params.items()) {
    if (key == "direction" || key == "signals") continue;
    std::string snake;
    for (char c : key) {
      if (std::isupper(static_cast<unsigned char>(c))) {
        snake += '_';
        snake += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      } else {
        snake += c;
      }
    }
    if (value.is_string()) {
      out[snake] = value.get<std::string>();
    } else if (value.is_number_integer()) {
      out[snake] = std::to_string(value.get<int64_t>());
    } else if (value.is_number()) {
      std::ostringstream os;
      os.precision(17);
      os << value.get<double>();
      out[snake] = os.str();
    } else if (value.is_boolean()) {
      out[snake] = value.get<bool>() ? "true" : "false";
    }
  }
  return out;
}

}  // namespace kubeheal::controllers
