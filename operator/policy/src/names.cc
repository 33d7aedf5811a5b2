// The CRD spellings of the engine's enums, in one place so status, Events and the parser agree.
#include <string_view>

#include "kubeheal/policy/decision.h"
#include "kubeheal/policy/observation.h"
#include "kubeheal/policy/policy_spec.h"

namespace kubeheal::policy {
namespace {

template <typename Enum, size_t N>
std::optional<Enum> Lookup(std::string_view name, const std::pair<Enum, const char*> (&table)[N]) {
  for (const auto& [value, text] : table) {
    if (name == text) return value;
  }
  return std::nullopt;
}

template <typename Enum, size_t N>
const char* NameOf(Enum value, const std::pair<Enum, const char*> (&table)[N]) {
  for (const auto& [v, text] : table) {
    if (v == value) return text;
  }
  return "unknown";
}

constexpr std::pair<ActionType, const char*> kActions[] = {
    {ActionType::kThrottle, "throttle"},
    {ActionType::kCircuitBreak, "circuitBreak"},
    {ActionType::kScale, "scale"},
    {ActionType::kRestart, "restart"},
    {ActionType::kAlert, "alert"}};
constexpr std::pair<Pattern, const char*> kPatterns[] = {
    {Pattern::kCrash, "crash"},   {Pattern::kNotReady, "notReady"}, {Pattern::kLatency, "latency"},
    {Pattern::kErrors, "errors"}, {Pattern::kTraffic, "traffic"},   {Pattern::kMemory, "memory"},
    {Pattern::kCustom, "custom"}};
constexpr std::pair<Match, const char*> kMatches[] = {{Match::kAny, "any"}, {Match::kAll, "all"}};
constexpr std::pair<RestartMode, const char*> kModes[] = {{RestartMode::kRolling, "rolling"},
                                                          {RestartMode::kOnePod, "pod"}};
constexpr std::pair<Severity, const char*> kSeverities[] = {{Severity::kNormal, "normal"},
                                                            {Severity::kInfo, "info"},
                                                            {Severity::kWarning, "warning"},
                                                            {Severity::kCritical, "critical"}};
constexpr std::pair<Phase, const char*> kPhases[] = {
    {Phase::kHealthy, "Healthy"},         {Phase::kAnomalous, "Anomalous"},
    {Phase::kRemediating, "Remediating"}, {Phase::kRecovered, "Recovered"},
    {Phase::kExhausted, "Exhausted"},     {Phase::kSuspended, "Suspended"}};
constexpr std::pair<Outcome, const char*> kOutcomes[] = {{Outcome::kPending, "Pending"},
                                                         {Outcome::kSucceeded, "Succeeded"},
                                                         {Outcome::kFailed, "Failed"}};

}  // namespace

const char* ActionTypeName(ActionType type) { return NameOf(type, kActions); }
const char* PatternName(Pattern pattern) { return NameOf(pattern, kPatterns); }
const char* MatchName(Match match) { return NameOf(match, kMatches); }
const char* RestartModeName(RestartMode mode) { return NameOf(mode, kModes); }
const char* SeverityName(Severity severity) { return NameOf(severity, kSeverities); }
const char* PhaseName(Phase phase) { return NameOf(phase, kPhases); }
const char* OutcomeName(Outcome outcome) { return NameOf(outcome, kOutcomes); }

std::optional<ActionType> ParseActionType(std::string_view name) { return Lookup(name, kActions); }
std::optional<Pattern> ParsePattern(std::string_view name) { return Lookup(name, kPatterns); }
std::optional<Match> ParseMatch(std::string_view name) { return Lookup(name, kMatches); }
std::optional<RestartMode> ParseRestartMode(std::string_view name) { return Lookup(name, kModes); }
std::optional<Severity> ParseSeverity(std::string_view name) { return Lookup(name, kSeverities); }
std::optional<Phase> ParsePhase(std::string_view name) { return Lookup(name, kPhases); }
std::optional<Outcome> ParseOutcome(std::string_view name) { return Lookup(name, kOutcomes); }

}  // namespace kubeheal::policy
