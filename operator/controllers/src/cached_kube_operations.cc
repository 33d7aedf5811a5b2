#include "kubeheal/controllers/cached_kube_operations.h"

#include "kubeheal/controllers/label_selector.h"

namespace kubeheal::controllers {
namespace {

std::string WriteKey(const std::string& kind, const std::string& ns, const std::string& name) {
  return kind + "/" + ns + "/" + name;
}

// Items of a list carry no apiVersion and kind (the list does), so cached objects lack them;
// events and owner references need them, as a GET would have returned them.
Json WithTypeMeta(const Json& object, const std::string& kind) {
  Json out = object;
  if (!out.contains("kind")) out["kind"] = kind;
  if (!out.contains("apiVersion")) {
    if (kind == "HealingPolicy" || kind == "FaultScenario")
      out["apiVersion"] = "kubeheal.io/v1alpha1";
    else if (kind == "Deployment" || kind == "StatefulSet")
      out["apiVersion"] = "apps/v1";
    else
      out["apiVersion"] = "v1";
  }
  return out;
}

std::string ResourceVersion(const Json& object) {
  return object.value("metadata", Json::object()).value("resourceVersion", "");
}

}  // namespace

CachedKubeOperations::CachedKubeOperations(std::shared_ptr<KubeOperations> api,
                                           std::shared_ptr<Clock> clock,
                                           CachedKubeOperationsOptions options)
    : api_(std::move(api)), clock_(std::move(clock)), options_(options) {}

void CachedKubeOperations::AddSource(const std::string& kind, CacheSource source) {
  sources_[kind].push_back(std::move(source));
}

std::vector<const CacheSource*> CachedKubeOperations::SourcesFor(const std::string& kind,
                                                                 const std::string& ns) const {
  std::vector<const CacheSource*> out;
  auto it = sources_.find(kind);
  if (it == sources_.end()) return out;
  for (const auto& s : it->second) {
    if (!s.namespace_.empty() && s.namespace_ != ns) continue;
    if (s.cache == nullptr || (s.synced && !s.synced())) return {};
    out.push_back(&s);
  }
  return out;
}

std::optional<Result<Json>> CachedKubeOperations::FromCache(const std::string& kind,
                                                            const std::string& ns,
                                                            const std::string& name) {
  const auto sources = SourcesFor(kind, ns);
  if (sources.empty()) return std::nullopt;
  kube::ObjectPtr found;
  for (const auto* s : sources) {
    if (auto obj = s->cache->Get(ns.empty() ? name : ns + "/" + name)) found = obj;
  }
  {
    std::lock_guard lock(mu_);
    auto w = writes_.find(WriteKey(kind, ns, name));
    if (w != writes_.end()) {
      const bool seen = found && ResourceVersion(*found) == w->second.resource_version;
      const bool expired = clock_->SteadyNow() - w->second.at > options_.read_your_writes_window;
      if (!seen && !expired) return std::nullopt;
      writes_.erase(w);
    }
  }
  ++cache_reads_;
  if (!found) {
    return Result<Json>(Error::Terminal(
        "NotFound", kind + " " + ns + "/" + name + " not found (informer cache)", 404));
  }
  return Result<Json>(WithTypeMeta(*found, kind));
}

void CachedKubeOperations::Remember(const std::string& kind, const Result<Json>& written) {
  if (!written.ok()) return;
  const auto& meta = written->value("metadata", Json::object());
  std::lock_guard lock(mu_);
  writes_[WriteKey(kind, meta.value("namespace", ""), meta.value("name", ""))] =
      Write{ResourceVersion(*written), clock_->SteadyNow()};
}

Result<Json> CachedKubeOperations::GetCustom(const std::string& kind, const std::string& ns,
                                             const std::string& name) {
  if (auto cached = FromCache(kind, ns, name)) return std::move(*cached);
  ++api_reads_;
  return api_->GetCustom(kind, ns, name);
}

Result<Json> CachedKubeOperations::UpdateCustomStatus(const std::string& kind, const Json& object) {
  auto written = api_->UpdateCustomStatus(kind, object);
  Remember(kind, written);
  return written;
}

Result<Json> CachedKubeOperations::PatchCustomMetadata(const std::string& kind,
                                                       const std::string& ns,
                                                       const std::string& name,
                                                       const Json& metadata) {
  auto written = api_->PatchCustomMetadata(kind, ns, name, metadata);
  Remember(kind, written);
  return written;
}

Result<Json> CachedKubeOperations::GetWorkload(const std::string& kind, const std::string& ns,
                                               const std::string& name) {
  if (auto cached = FromCache(kind, ns, name)) return std::move(*cached);
  ++api_reads_;
  return api_->GetWorkload(kind, ns, name);
}

Result<int> CachedKubeOperations::GetReplicas(const std::string& kind, const std::string& ns,
                                              const std::string& name) {
  return api_->GetReplicas(kind, ns, name);  // before a scale: the scale subresource's truth
}

Status CachedKubeOperations::SetReplicas(const std::string& kind, const std::string& ns,
                                         const std::string& name, int replicas) {
  return api_->SetReplicas(kind, ns, name, replicas);
}

Status CachedKubeOperations::RolloutRestart(const std::string& kind, const std::string& ns,
                                            const std::string& name,
                                            const std::string& restarted_at) {
  return api_->RolloutRestart(kind, ns, name, restarted_at);
}

Result<std::vector<Json>> CachedKubeOperations::ListPods(const std::string& ns,
                                                         const std::string& label_selector) {
  const auto sources = SourcesFor("Pod", ns);
  auto selector = LabelSelector::Parse(label_selector);
  if (sources.empty() || !selector.ok()) {
    ++api_reads_;
    return api_->ListPods(ns, label_selector);  // the API server names a bad selector
  }
  ++cache_reads_;
  std::vector<Json> pods;
  for (const auto* s : sources) {
    for (const auto& pod : ns.empty() ? s->cache->List() : s->cache->ListNamespace(ns)) {
      if (selector->Matches(pod->value("metadata", Json::object()).value("labels", Json()))) {
        pods.push_back(WithTypeMeta(*pod, "Pod"));
      }
    }
  }
  return pods;
}

Status CachedKubeOperations::EvictPod(const std::string& ns, const std::string& pod) {
  return api_->EvictPod(ns, pod);
}

Status CachedKubeOperations::DeletePod(const std::string& ns, const std::string& pod,
                                       int grace_period_seconds) {
  return api_->DeletePod(ns, pod, grace_period_seconds);
}

Result<std::string> CachedKubeOperations::GetSecretValue(const std::string& ns,
                                                         const std::string& name,
                                                         const std::string& key) {
  const std::string memo_key = ns + "/" + name + "/" + key;
  const auto now = clock_->SteadyNow();
  {
    std::lock_guard lock(mu_);
    auto it = secrets_.find(memo_key);
    if (it != secrets_.end() && now - it->second.at < options_.secret_ttl) {
      ++cache_reads_;
      return it->second.value;
    }
  }
  ++api_reads_;
  auto value = api_->GetSecretValue(ns, name, key);
  // A missing or forbidden Secret is as stable as a present one; other errors are retried.
  const bool stable =
      value.ok() || value.error().http_status == 404 || value.error().http_status == 403;
  std::lock_guard lock(mu_);
  if (stable) {
    secrets_.insert_or_assign(memo_key, SecretMemo{value, now});
  } else {
    secrets_.erase(memo_key);
  }
  return value;
}

Status CachedKubeOperations::RecordEvent(const Json& involved, const std::string& type,
                                         const std::string& reason, const std::string& message) {
  return api_->RecordEvent(involved, type, reason, message);
}

}  // namespace kubeheal::controllers
