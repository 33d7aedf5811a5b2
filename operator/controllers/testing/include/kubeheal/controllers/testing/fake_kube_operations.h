#pragma once

#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "kubeheal/controllers/kube_operations.h"

namespace kubeheal::controllers {

// An in-memory KubeOperations, like controller-runtime's fake client: the objects a test puts
// in are served back with a resourceVersion that moves on every write, a status update with a
// stale resourceVersion is a 409 Conflict, pods are listed by label selector, the scale
// subresource and a rolling restart change the stored workload, an eviction or a delete removes
// the pod, and every Event is kept. Errors are programmed per operation (Fail). Every call that
// changes something is written to Journal() in order, so a test can check what came before what.
//
// Not a watch source: KubeOperations has no watch (the informers have their own tests against a
// real kube-apiserver). Thread-safe.
class FakeKubeOperations final : public KubeOperations {
 public:
  struct RecordedEvent {
    std::string kind;  // of the involved object
    std::string ns;
    std::string name;
    std::string type;  // Normal | Warning
    std::string reason;
    std::string message;
  };

  // Stores (or replaces) an object of a custom kind, a workload (Deployment/StatefulSet) or a
  // pod; its kind and metadata.namespace/name say where. A resourceVersion is assigned.
  void PutCustom(const std::string& kind, Json object);
  void PutWorkload(Json workload);
  void PutPod(Json pod);
  void PutSecret(const std::string& ns, const std::string& name, const std::string& key,
                 const std::string& value);
  void RemoveCustom(const std::string& kind, const std::string& ns, const std::string& name);

  // What is stored now (nullopt when absent).
  std::optional<Json> Custom(const std::string& kind, const std::string& ns,
                             const std::string& name) const;
  std::optional<Json> Workload(const std::string& kind, const std::string& ns,
                               const std::string& name) const;
  std::vector<std::string> PodNames(const std::string& ns) const;

  // The stored object itself, for a test to edit in place (as another client would; the
  // resourceVersion does not move). Null when absent. Not for use while the code under test runs
  // on another thread.
  Json* MutableCustom(const std::string& kind, const std::string& ns, const std::string& name);

  // The next `times` calls of `operation` (a method name, e.g. "UpdateCustomStatus") fail with
  // `error` before touching anything; times < 0: every call until Heal(operation).
  void Fail(const std::string& operation, Error error, int times = -1);
  // The same, but the change is made and only its answer is lost (a write that reached etcd,
  // then the connection broke): the caller sees `error`. For the writing operations.
  void LoseAnswer(const std::string& operation, Error error, int times = -1);
  void Heal(const std::string& operation);
  // The next status update of this object is refused with 409, as if another writer had changed
  // it first (its resourceVersion moves, so a re-read gets the new one).
  void ConflictNextStatusUpdate(const std::string& kind, const std::string& ns,
                                const std::string& name, int times = 1);

  // Adds a line of the test's own to the journal (e.g. an agent call a mock saw), so the order
  // of everything is in one place.
  void Note(const std::string& line);

  // Called with the journal line of a disruptive call (SetReplicas, RolloutRestart, EvictPod,
  // DeletePod) before it is applied, outside the fake's lock: a test checks there what must be
  // on record before the act (e.g. the status naming the pod about to be deleted).
  void BeforeAction(std::function<void(const std::string& line)> hook);

  std::vector<RecordedEvent> Events() const;
  // "UpdateCustomStatus HealingPolicy shop/orders phase=Remediating", "RecordEvent
  // Deployment shop/orders HealingAction", "SetReplicas Deployment shop/orders 3", ...
  std::vector<std::string> Journal() const;
  void ClearJournal();
  // How many times `operation` was called (failed calls too).
  int Calls(const std::string& operation) const;
  // How many calls of any operation reached the fake: 0 says the code under test never went to
  // the API server (e.g. a cache answered every read).
  int TotalCalls() const;

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

 private:
  using Key = std::tuple<std::string, std::string, std::string>;  // kind, namespace, name
  struct Programmed {
    Error error;
    int times = -1;
    bool after_applying = false;
  };
  // The programmed error of `operation` that comes before the change, if any (counts the call,
  // uses up one time).
  std::optional<Error> Called(const std::string& operation);
  // The programmed error that comes after the change (LoseAnswer), if any.
  std::optional<Error> Answered(const std::string& operation);
  void Stamp(Json* object);
  void RunBeforeAction(const std::string& line);
  static Error NotFound(const std::string& what);

  mutable std::mutex mu_;
  std::map<Key, Json> custom_;
  std::map<Key, Json> workloads_;
  std::map<std::pair<std::string, std::string>, Json> pods_;
  std::map<Key, std::string> secrets_;  // namespace, name, key
  std::map<Key, int> conflicts_;
  std::map<std::string, Programmed> failures_;
  std::map<std::string, int> calls_;
  std::vector<RecordedEvent> events_;
  std::vector<std::string> journal_;
  int64_t resource_version_ = 100;
  std::function<void(const std::string&)> before_action_;
};

}  // namespace kubeheal::controllers
