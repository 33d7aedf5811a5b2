#include "kubeheal/controllers/fault_injector.h"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "kubeheal/common/logger.h"
#include "kubeheal/controllers/pod_kill_schedule.h"

namespace kubeheal::controllers {
namespace {

constexpr const char* kKind = "FaultScenario";

double SecondsBetween(Clock::TimePoint from, Clock::TimePoint to) {
  return std::chrono::duration<double>(to - from).count();
}

const Json* PodNamed(const Result<std::vector<Json>>& pods, const std::string& name) {
  if (!pods.ok()) return nullptr;
  const Json* found = nullptr;
  for (const auto& p : *pods) {
    if (p["metadata"].value("name", "") == name) found = &p;
  }
  return found;
}

}  // namespace

FaultInjector::FaultInjector(std::shared_ptr<KubeOperations> kube,
                             std::shared_ptr<agentclient::AgentClient> agents,
                             std::shared_ptr<AgentTargets> targets, std::shared_ptr<Clock> clock,
                             std::chrono::seconds fault_ttl)
    : kube_(std::move(kube)),
      agents_(std::move(agents)),
      targets_(std::move(targets)),
      clock_(std::move(clock)),
      fault_ttl_(fault_ttl) {}

agentclient::AgentFault FaultInjector::ToAgentFault(const api::FaultSpec& f, const std::string& id,
                                                    double ttl_seconds) {
  agentclient::AgentFault a;
  a.id = id;
  a.type = f.type;
  a.ttl_seconds = ttl_seconds;
  if (!f.IsProcessFault()) a.percent = f.percent;
  if (f.type == "latency") {
    a.params = {{"delayMs", f.delay_ms}, {"jitterMs", f.jitter_ms}};
  } else if (f.type == "httpError") {
    a.params = {{"status", f.status}};
    if (!f.body.empty()) a.params["body"] = f.body;
  } else if (f.type == "cpuBurn") {
    a.params = {{"threads", f.threads}, {"dutyPercent", f.duty_percent}};
  } else if (f.type == "memoryLeak") {
    a.params = {{"mbPerSecond", f.mb_per_second}, {"capMb", f.cap_mb}};
  } else if (f.type == "crash") {
    a.params = {{"exitCode", f.exit_code}, {"delayMs", f.delay_ms}};
  }
  if (!f.match.is_null()) a.match = f.match;
  return a;
}

std::string FaultInjector::FaultId(const api::FaultScenario& sc, size_t index) {
  // Agent ids are [A-Za-z0-9._-]{1,63}; the uid keeps two scenarios of one name apart.
  std::string base = sc.metadata.uid.empty() ? sc.metadata.name : sc.metadata.uid.substr(0, 13);
  std::string name = sc.metadata.name.substr(0, 30);
  std::string id = "ks-" + name + "-" + base + "-" + std::to_string(index);
  std::replace_if(
      id.begin(), id.end(),
      [](char c) {
        return !(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-');
      },
      '-');
  return id.substr(0, 63);
}

bool FaultInjector::SpikeApplied(const api::FaultScenario& sc) {
  for (const auto& fault : sc.spec.faults) {
    if (fault.type == "trafficSpike" &&
        sc.metadata.annotations.count(kSpikePreviousReplicasAnnotation) > 0) {
      return true;
    }
  }
  return false;
}

Status FaultInjector::Inject(api::FaultScenario& sc, Clock::TimePoint start) {
  const auto& ns = sc.metadata.namespace_;
  const double remaining = std::max(1.0, SecondsBetween(clock_->Now(), start + sc.spec.duration));
  const double ttl = std::min(remaining, static_cast<double>(fault_ttl_.count()));
  bool needs_token = false;
  for (const auto& fault : sc.spec.faults) needs_token = needs_token || fault.IsAgentFault();
  // Only faults pushed to agents need the namespace's token (podKill, trafficSpike do not).
  auto token = needs_token ? targets_->Token(ns) : Result<std::string>(std::string());
  // Pods of the current targets, for IPs and ports.
  auto pods = kube_->ListPods(ns, sc.spec.LabelSelector());
  if (!pods.ok()) return pods.error();
  int injected = 0;
  std::string last_error;
  for (auto& target : sc.status.targets) {
    InjectInto(sc, target, PodNamed(pods, target.pod), token, ttl, &last_error);
    if (target.injected) ++injected;
  }
  auto spiked = SpikeTraffic(sc);
  if (!spiked.ok()) return spiked.error();
  injected += *spiked;
  if (injected == 0 && !token.ok()) return token.error();
  if (injected == 0 && !last_error.empty()) {
    return Error::Retryable("InjectionFailed", last_error);
  }
  return Status::Ok();
}

void FaultInjector::InjectInto(api::FaultScenario& sc, api::ScenarioTarget& target, const Json* pod,
                               const Result<std::string>& token, double ttl,
                               std::string* last_error) {
  const auto& ns = sc.metadata.namespace_;
  target.error.clear();
  for (size_t i = 0; i < sc.spec.faults.size(); ++i) {
    const auto& fault = sc.spec.faults[i];
    if (fault.type == "podKill") {
      if (!target.killed_at.empty() || pod == nullptr) continue;
      auto s = kube_->DeletePod(ns, target.pod, static_cast<int>(fault.grace_period_seconds));
      if (s.ok()) {
        target.killed_at = FormatRfc3339(clock_->Now());
        target.injected = true;
      } else {
        target.error = s.error().message;
      }
      continue;
    }
    if (!fault.IsAgentFault()) continue;
    if (!target.killed_at.empty()) continue;  // deleted by a podKill of this scenario
    if (pod == nullptr) {
      target.error = "pod gone";
      continue;
    }
    if (!token.ok()) {
      target.error = token.error().message;
      continue;
    }
    const auto agent = targets_->TargetFor(ns, *pod, *token);
    if (!agent) {
      target.error = "pod is not in namespace " + ns;
      continue;
    }
    const std::string id = FaultId(sc, i);
    auto pushed = agents_->PushFault(agent->endpoint, ToAgentFault(fault, id, ttl));
    if (!pushed.ok()) {
      target.error = pushed.error().message;
      *last_error = pushed.error().message;
      continue;
    }
    target.injected = true;
    if (std::find(target.fault_ids.begin(), target.fault_ids.end(), id) == target.fault_ids.end()) {
      target.fault_ids.push_back(id);
    }
  }
}

Result<int> FaultInjector::SpikeTraffic(api::FaultScenario& sc) {
  const auto& ns = sc.metadata.namespace_;
  int scaled = 0;
  for (const auto& fault : sc.spec.faults) {
    if (fault.type != "trafficSpike") continue;
    if (sc.metadata.annotations.count(kSpikePreviousReplicasAnnotation)) continue;
    auto current = kube_->GetReplicas("Deployment", ns, fault.generator);
    if (!current.ok()) return current.error();
    auto patched = kube_->PatchCustomMetadata(
        kKind, ns, sc.metadata.name,
        {{"annotations", {{kSpikePreviousReplicasAnnotation, std::to_string(*current)}}}});
    if (!patched.ok()) return patched.error();
    sc.metadata.annotations[kSpikePreviousReplicasAnnotation] = std::to_string(*current);
    auto s =
        kube_->SetReplicas("Deployment", ns, fault.generator, static_cast<int>(fault.replicas));
    if (!s.ok()) return s.error();
    ++scaled;
  }
  return scaled;
}

Result<std::vector<std::string>> FaultInjector::DuePodKills(api::FaultScenario& sc,
                                                            Clock::TimePoint start) {
  std::vector<api::ScenarioTarget> added;
  for (const auto& fault : sc.spec.faults) {
    if (fault.type != "podKill" || fault.interval.count() <= 0) continue;
    auto pods = kube_->ListPods(sc.metadata.namespace_, sc.spec.LabelSelector());
    if (!pods.ok()) return pods.error();
    for (const auto& kill :
         PodKillSchedule::Due(fault, sc.spec, sc.status.targets, *pods, start, clock_->Now(),
                              sc.metadata.uid + sc.metadata.name)) {
      if (!kill.new_target) continue;
      api::ScenarioTarget t;
      t.pod = kill.pod;
      t.ip = kill.ip;
      added.push_back(t);
    }
  }
  std::vector<std::string> names;
  for (auto& t : added) {
    names.push_back(t.pod);
    sc.status.targets.push_back(std::move(t));
  }
  if (!names.empty()) PodKillSchedule::Trim(&sc.status.targets);
  return names;
}

Status FaultInjector::Cleanup(api::FaultScenario& sc) {
  const auto& ns = sc.metadata.namespace_;
  std::string failures;
  bool retryable = false;
  auto pods = kube_->ListPods(ns, sc.spec.LabelSelector());
  auto token = targets_->Token(ns);
  for (auto& target : sc.status.targets) {
    if (target.fault_ids.empty()) continue;
    const Json* pod = PodNamed(pods, target.pod);
    const auto agent = pod != nullptr && token.ok() ? targets_->TargetFor(ns, *pod, *token)
                                                    : std::optional<AgentTarget>();
    if (!agent) {
      // Gone pods took their faults with them; otherwise the expiry ends them.
      target.fault_ids.clear();
      continue;
    }
    std::vector<std::string> left;
    for (const auto& id : target.fault_ids) {
      auto s = agents_->ClearFault(agent->endpoint, id);
      if (s.ok()) continue;
      if (s.error().retryable() && s.error().code != "AgentUnreachable") {
        left.push_back(id);
        retryable = true;
      }
      failures += (failures.empty() ? "" : "; ") + target.pod + ": " + s.error().message;
    }
    target.fault_ids = left;
  }
  if (auto s = RestoreGenerators(sc); !s.ok()) return s;
  if (retryable) return Error::Retryable("CleanupFailed", failures);
  if (!failures.empty()) {
    Log().Warn("fault cleanup incomplete; the faults' expiry ends them",
               {{"scenario", sc.metadata.Key()}, {"errors", failures}});
  }
  return Status::Ok();
}

Status FaultInjector::RestoreGenerators(const api::FaultScenario& sc) {
  for (const auto& fault : sc.spec.faults) {
    if (fault.type != "trafficSpike") continue;
    auto it = sc.metadata.annotations.find(kSpikePreviousReplicasAnnotation);
    if (it == sc.metadata.annotations.end()) continue;
    int previous = 0;
    const auto& text = it->second;
    const auto parsed = std::from_chars(text.data(), text.data() + text.size(), previous);
    if (parsed.ec != std::errc() || parsed.ptr != text.data() + text.size() || previous < 0) {
      Log().Warn("annotation with the generator's previous replicas is not a count; not reverting",
                 {{"scenario", sc.metadata.Key()},
                  {"annotation", kSpikePreviousReplicasAnnotation},
                  {"value", text}});
      continue;
    }
    auto s = kube_->SetReplicas("Deployment", sc.metadata.namespace_, fault.generator, previous);
    if (!s.ok() && s.error().http_status != 404) return s;
  }
  return Status::Ok();
}

}  // namespace kubeheal::controllers
