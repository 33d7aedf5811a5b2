#include "kubeheal/controllers/kube_client_operations.h"

namespace kubeheal::controllers {

std::string LabelSelectorString(const Json& selector) {
  std::string out;
  auto add = [&](const std::string& term) { out += (out.empty() ? "" : ",") + term; };
  if (!selector.is_object()) return out;
  if (selector.contains("matchLabels") && selector["matchLabels"].is_object()) {
    for (const auto& [k, v] : selector["matchLabels"].items()) {
      if (v.is_string()) add(k + "=" + v.get<std::string>());
    }
  }
  if (selector.contains("matchExpressions") && selector["matchExpressions"].is_array()) {
    for (const auto& e : selector["matchExpressions"]) {
      const std::string key = e.value("key", "");
      const std::string op = e.value("operator", "");
      std::string values;
      if (e.contains("values") && e["values"].is_array()) {
        for (const auto& v : e["values"]) {
          values += (values.empty() ? "" : ",") + v.get<std::string>();
        }
      }
      if (op == "In")
        add(key + " in (" + values + ")");
      else if (op == "NotIn")
        add(key + " notin (" + values + ")");
      else if (op == "Exists")
        add(key);
      else if (op == "DoesNotExist")
        add("!" + key);
    }
  }
  return out;
}

KubeClientOperations::KubeClientOperations(std::shared_ptr<kube::Client> client,
                                           std::shared_ptr<kube::EventRecorder> events)
    : client_(std::move(client)), events_(std::move(events)) {}

kube::GroupVersionResource KubeClientOperations::CustomResource(const std::string& kind) {
  return {"kubeheal.io", "v1alpha1",
          kind == "FaultScenario" ? "faultscenarios" : "healingpolicies"};
}

kube::GroupVersionResource KubeClientOperations::WorkloadResource(const std::string& kind) {
  return kind == "StatefulSet" ? kube::GroupVersionResource::StatefulSets()
                               : kube::GroupVersionResource::Deployments();
}

Result<Json> KubeClientOperations::GetCustom(const std::string& kind, const std::string& ns,
                                             const std::string& name) {
  return client_->Get(CustomResource(kind), ns, name).ToResult();
}

Result<Json> KubeClientOperations::UpdateCustomStatus(const std::string& kind, const Json& object) {
  const std::string ns = object["metadata"].value("namespace", "");
  return client_->UpdateStatus(CustomResource(kind), ns, object).ToResult();
}

Result<Json> KubeClientOperations::PatchCustomMetadata(const std::string& kind,
                                                       const std::string& ns,
                                                       const std::string& name,
                                                       const Json& metadata) {
  return client_
      ->Patch(CustomResource(kind), ns, name, kube::PatchType::kMerge, {{"metadata", metadata}})
      .ToResult();
}

Result<Json> KubeClientOperations::GetWorkload(const std::string& kind, const std::string& ns,
                                               const std::string& name) {
  return client_->Get(WorkloadResource(kind), ns, name).ToResult();
}

Result<int> KubeClientOperations::GetReplicas(const std::string& kind, const std::string& ns,
                                              const std::string& name) {
  auto scale = client_->GetScale(WorkloadResource(kind), ns, name);
  if (!scale.ok()) return scale.error();
  return (*scale)["spec"].value("replicas", 0);
}

Status KubeClientOperations::SetReplicas(const std::string& kind, const std::string& ns,
                                         const std::string& name, int replicas) {
  auto r = client_->SetReplicas(WorkloadResource(kind), ns, name, replicas);
  if (!r.ok()) return r.error();
  return Status::Ok();
}

Status KubeClientOperations::RolloutRestart(const std::string& kind, const std::string& ns,
                                            const std::string& name,
                                            const std::string& restarted_at) {
  const Json patch = {
      {"spec",
       {{"template",
         {{"metadata",
           {{"annotations", {{"kubectl.kubernetes.io/restartedAt", restarted_at}}}}}}}}}};
  auto r =
      client_->Patch(WorkloadResource(kind), ns, name, kube::PatchType::kStrategicMerge, patch);
  if (!r.ok()) return r.error();
  return Status::Ok();
}

Result<std::vector<Json>> KubeClientOperations::ListPods(const std::string& ns,
                                                         const std::string& label_selector) {
  kube::ListOptions options;
  options.label_selector = label_selector;
  auto page = client_->ListAll(kube::GroupVersionResource::Pods(), ns, options);
  if (!page.ok()) return page.error();
  std::vector<Json> pods;
  for (auto& item : page->items) pods.push_back(std::move(item));
  return pods;
}

Status KubeClientOperations::EvictPod(const std::string& ns, const std::string& pod) {
  auto r = client_->Evict(ns, pod);
  if (!r.ok()) return r.error();
  return Status::Ok();
}

Status KubeClientOperations::DeletePod(const std::string& ns, const std::string& pod,
                                       int grace_period_seconds) {
  kube::DeleteOptions options;
  options.grace_period_seconds = grace_period_seconds;
  auto r = client_->Delete(kube::GroupVersionResource::Pods(), ns, pod, options);
  if (!r.ok() && r.code() != 404) return r.error();
  return Status::Ok();
}

Result<std::string> KubeClientOperations::GetSecretValue(const std::string& ns,
                                                         const std::string& name,
                                                         const std::string& key) {
  auto secret = client_->Get(kube::GroupVersionResource::Secrets(), ns, name);
  if (!secret.ok()) return secret.error();
  const auto& data = (*secret)["data"];
  if (!data.is_object() || !data.contains(key) || !data[key].is_string()) {
    return Error::Terminal("NotFound", "secret " + ns + "/" + name + " has no key " + key, 404);
  }
  // base64 decode
  static const std::string alphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  int bits = 0;
  unsigned value = 0;
  for (char c : data[key].get<std::string>()) {
    const auto pos = alphabet.find(c);
    if (pos == std::string::npos) continue;  // '=' padding and whitespace
    value = (value << 6) | static_cast<unsigned>(pos);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((value >> bits) & 0xff));
    }
  }
  return out;
}

Status KubeClientOperations::RecordEvent(const Json& involved, const std::string& type,
                                         const std::string& reason, const std::string& message) {
  auto r = events_->Record(involved, type, reason, message);
  if (!r.ok()) return r.error();
  return Status::Ok();
}

}  // namespace kubeheal::controllers
