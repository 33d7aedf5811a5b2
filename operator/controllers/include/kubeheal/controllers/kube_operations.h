#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "kubeheal/common/result.h"

namespace kubeheal::controllers {

using Json = nlohmann::json;

// The Kubernetes operations the controllers need, and nothing more, so the reconcilers can be
// tested against an in-memory API server (FakeKubeOperations, in kubeheal::controllers_testing).
// KubeClientOperations is the real one (kubeheal::kube::Client).
// Errors keep the HTTP status (404 NotFound, 409 Conflict, ...). Thread-safe.
class KubeOperations {
 public:
  virtual ~KubeOperations() = default;

  // kind: "HealingPolicy" or "FaultScenario" (group kubeheal.io/v1alpha1).
  virtual Result<Json> GetCustom(const std::string& kind, const std::string& ns,
                                 const std::string& name) = 0;
  // PUT .../status with the object's resourceVersion (409 Conflict when stale).
  virtual Result<Json> UpdateCustomStatus(const std::string& kind, const Json& object) = 0;
  // JSON merge patch of metadata (annotations, finalizers), returns the new object.
  virtual Result<Json> PatchCustomMetadata(const std::string& kind, const std::string& ns,
                                           const std::string& name, const Json& metadata) = 0;

  // kind: "Deployment" or "StatefulSet" (apps/v1).
  virtual Result<Json> GetWorkload(const std::string& kind, const std::string& ns,
                                   const std::string& name) = 0;
  virtual Result<int> GetReplicas(const std::string& kind, const std::string& ns,
                                  const std::string& name) = 0;  // scale subresource
  virtual Status SetReplicas(const std::string& kind, const std::string& ns,
                             const std::string& name, int replicas) = 0;
  // Sets spec.template.metadata.annotations["kubectl.kubernetes.io/restartedAt"].
  virtual Status RolloutRestart(const std::string& kind, const std::string& ns,
                                const std::string& name, const std::string& restarted_at) = 0;

  virtual Result<std::vector<Json>> ListPods(const std::string& ns,
                                             const std::string& label_selector) = 0;
  // Eviction API (honours PodDisruptionBudgets: 429 TooManyRequests when one forbids it).
  virtual Status EvictPod(const std::string& ns, const std::string& pod) = 0;
  virtual Status DeletePod(const std::string& ns, const std::string& pod,
                           int grace_period_seconds) = 0;

  virtual Result<std::string> GetSecretValue(const std::string& ns, const std::string& name,
                                             const std::string& key) = 0;

  // A core/v1 Event about `involved` (an object with apiVersion, kind, metadata).
  virtual Status RecordEvent(const Json& involved, const std::string& type,
                             const std::string& reason, const std::string& message) = 0;
};

// A label selector ("app=x,tier in (a,b)") from a LabelSelector object (matchLabels,
// matchExpressions), as Deployments carry it.
std::string LabelSelectorString(const Json& selector);

}  // namespace kubeheal::controllers
