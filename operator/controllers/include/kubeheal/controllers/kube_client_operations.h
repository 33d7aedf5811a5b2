#pragma once

#include <memory>

#include "kubeheal/controllers/kube_operations.h"
#include "kubeheal/kube/client.h"
#include "kubeheal/kube/event_recorder.h"

namespace kubeheal::controllers {

// KubeOperations over the runtime's REST client and event recorder.
class KubeClientOperations final : public KubeOperations {
 public:
  KubeClientOperations(std::shared_ptr<kube::Client> client,
                       std::shared_ptr<kube::EventRecorder> events);

  Result<Json> GetCustom(const std::string& kind, const std::string& ns,
                         const std::string& name) override;
  Result<Json> UpdateCustomStatus(const std::string& kind, const Json& object) override;
  Result<Json> PatchCustomMetadata(const std::string& kind, const std::string& ns,
                                   const std::string& name, const Json& metadata) override;
  Result<Json> GetWorkload(const std::string& kind, const std::string& ns,
                           const std::string& name) override;
  Result<int> GetReplicas(const std::string& kind, const std::string& ns,
                          const std::string& name) override;
  Status SetReplicas(const std::string& kind, const std::string& ns, const std::string& name,
                     int replicas) override;
  Status RolloutRestart(const std::string& kind, const std::string& ns, const std::string& name,
                        const std::string& restarted_at) override;
  Result<std::vector<Json>> ListPods(const std::string& ns,
                                     const std::string& label_selector) override;
  Status EvictPod(const std::string& ns, const std::string& pod) override;
  Status DeletePod(const std::string& ns, const std::string& pod,
                   int grace_period_seconds) override;
  Result<std::string> GetSecretValue(const std::string& ns, const std::string& name,
                                     const std::string& key) override;
  Status RecordEvent(const Json& involved, const std::string& type, const std::string& reason,
                     const std::string& message) override;

  static kube::GroupVersionResource CustomResource(const std::string& kind);
  static kube::GroupVersionResource WorkloadResource(const std::string& kind);

 private:
  std::shared_ptr<kube::Client> client_;
  std::shared_ptr<kube::EventRecorder> events_;
};

}  // namespace kubeheal::controllers
