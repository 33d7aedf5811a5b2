#include "kubeheal/controllers/testing/fake_kube_operations.h"

#include "kubeheal/controllers/label_selector.h"

namespace kubeheal::controllers {
namespace {

std::string Text(const Json& object, const char* field) {
  const auto meta = object.find("metadata");
  if (meta == object.end() || !meta->is_object()) return "";
  const auto it = meta->find(field);
  return it != meta->end() && it->is_string() ? it->get<std::string>() : "";
}

std::string Path(const std::string& ns, const std::string& name) { return ns + "/" + name; }

}  // namespace

Error FakeKubeOperations::NotFound(const std::string& what) {
  return Error::Terminal("NotFound", what + " not found", 404);
}

void FakeKubeOperations::Stamp(Json* object) {
  (*object)["metadata"]["resourceVersion"] = std::to_string(++resource_version_);
}

std::optional<Error> FakeKubeOperations::Called(const std::string& operation) {
  ++calls_[operation];
  const auto it = failures_.find(operation);
  if (it == failures_.end() || it->second.after_applying) return std::nullopt;
  Error error = it->second.error;
  if (it->second.times > 0 && --it->second.times == 0) failures_.erase(it);
  return error;
}

std::optional<Error> FakeKubeOperations::Answered(const std::string& operation) {
  const auto it = failures_.find(operation);
  if (it == failures_.end() || !it->second.after_applying) return std::nullopt;
  Error error = it->second.error;
  if (it->second.times > 0 && --it->second.times == 0) failures_.erase(it);
  return error;
}

void FakeKubeOperations::PutCustom(const std::string& kind, Json object) {
  std::lock_guard lock(mu_);
  Stamp(&object);
  // The key first: json's operator= takes its argument by value, and C++17 evaluates (so moves)
  // the right-hand side before the left.
  Key key{kind, Text(object, "namespace"), Text(object, "name")};
  custom_[key] = std::move(object);
}

void FakeKubeOperations::PutWorkload(Json workload) {
  std::lock_guard lock(mu_);
  Stamp(&workload);
  Key key{workload.value("kind", ""), Text(workload, "namespace"), Text(workload, "name")};
  workloads_[key] = std::move(workload);
}

void FakeKubeOperations::PutPod(Json pod) {
  std::lock_guard lock(mu_);
  Stamp(&pod);
  std::pair<std::string, std::string> key{Text(pod, "namespace"), Text(pod, "name")};
  pods_[key] = std::move(pod);
}

void FakeKubeOperations::PutSecret(const std::string& ns, const std::string& name,
                                   const std::string& key, const std::string& value) {
  std::lock_guard lock(mu_);
  secrets_[{ns, name, key}] = value;
}

void FakeKubeOperations::RemoveCustom(const std::string& kind, const std::string& ns,
                                      const std::string& name) {
  std::lock_guard lock(mu_);
  custom_.erase({kind, ns, name});
}

std::optional<Json> FakeKubeOperations::Custom(const std::string& kind, const std::string& ns,
                                               const std::string& name) const {
  std::lock_guard lock(mu_);
  const auto it = custom_.find({kind, ns, name});
  if (it == custom_.end()) return std::nullopt;
  return it->second;
}

std::optional<Json> FakeKubeOperations::Workload(const std::string& kind, const std::string& ns,
                                                 const std::string& name) const {
  std::lock_guard lock(mu_);
  const auto it = workloads_.find({kind, ns, name});
  if (it == workloads_.end()) return std::nullopt;
  return it->second;
}

std::vector<std::string> FakeKubeOperations::PodNames(const std::string& ns) const {
  std::lock_guard lock(mu_);
  std::vector<std::string> names;
  for (const auto& [key, pod] : pods_) {
    if (key.first == ns) names.push_back(key.second);
  }
  return names;
}

void FakeKubeOperations::Fail(const std::string& operation, Error error, int times) {
  std::lock_guard lock(mu_);
  failures_[operation] = Programmed{std::move(error), times};
}

void FakeKubeOperations::LoseAnswer(const std::string& operation, Error error, int times) {
  std::lock_guard lock(mu_);
  failures_[operation] = Programmed{std::move(error), times, true};
}

Json* FakeKubeOperations::MutableCustom(const std::string& kind, const std::string& ns,
                                        const std::string& name) {
  std::lock_guard lock(mu_);
  const auto it = custom_.find({kind, ns, name});
  return it == custom_.end() ? nullptr : &it->second;
}

void FakeKubeOperations::Note(const std::string& line) {
  std::lock_guard lock(mu_);
  journal_.push_back(line);
}

void FakeKubeOperations::Heal(const std::string& operation) {
  std::lock_guard lock(mu_);
  failures_.erase(operation);
}

void FakeKubeOperations::ConflictNextStatusUpdate(const std::string& kind, const std::string& ns,
                                                  const std::string& name, int times) {
  std::lock_guard lock(mu_);
  conflicts_[{kind, ns, name}] = times;
}

std::vector<FakeKubeOperations::RecordedEvent> FakeKubeOperations::Events() const {
  std::lock_guard lock(mu_);
  return events_;
}

std::vector<std::string> FakeKubeOperations::Journal() const {
  std::lock_guard lock(mu_);
  return journal_;
}

void FakeKubeOperations::ClearJournal() {
  std::lock_guard lock(mu_);
  journal_.clear();
}

int FakeKubeOperations::Calls(const std::string& operation) const {
  std::lock_guard lock(mu_);
  const auto it = calls_.find(operation);
  return it == calls_.end() ? 0 : it->second;
}

int FakeKubeOperations::TotalCalls() const {
  std::lock_guard lock(mu_);
  int total = 0;
  for (const auto& [operation, count] : calls_) total += count;
  return total;
}

Result<Json> FakeKubeOperations::GetCustom(const std::string& kind, const std::string& ns,
                                           const std::string& name) {
  std::lock_guard lock(mu_);
  if (auto error = Called("GetCustom")) return *error;
  const auto it = custom_.find({kind, ns, name});
  if (it == custom_.end()) return NotFound(kind + " " + Path(ns, name));
  return it->second;
}

Result<Json> FakeKubeOperations::UpdateCustomStatus(const std::string& kind, const Json& object) {
  std::lock_guard lock(mu_);
  if (auto error = Called("UpdateCustomStatus")) return *error;
  const std::string ns = Text(object, "namespace");
  const std::string name = Text(object, "name");
  const auto it = custom_.find({kind, ns, name});
  if (it == custom_.end()) return NotFound(kind + " " + Path(ns, name));
  const auto conflict = conflicts_.find({kind, ns, name});
  if (conflict != conflicts_.end()) {
    if (--conflict->second <= 0) conflicts_.erase(conflict);
    Stamp(&it->second);  // another writer came first
    return Error::Retryable("Conflict", kind + " " + Path(ns, name) + " was modified", 409);
  }
  if (Text(object, "resourceVersion") != Text(it->second, "resourceVersion")) {
    return Error::Retryable("Conflict",
                            kind + " " + Path(ns, name) + ": resourceVersion " +
                                Text(object, "resourceVersion") + " is stale (stored " +
                                Text(it->second, "resourceVersion") + ")",
                            409);
  }
  it->second["status"] = object.value("status", Json::object());
  Stamp(&it->second);
  journal_.push_back("UpdateCustomStatus " + kind + " " + Path(ns, name) +
                     " phase=" + it->second["status"].value("phase", ""));
  if (auto error = Answered("UpdateCustomStatus")) return *error;
  return it->second;
}

Result<Json> FakeKubeOperations::PatchCustomMetadata(const std::string& kind, const std::string& ns,
                                                     const std::string& name,
                                                     const Json& metadata) {
  std::lock_guard lock(mu_);
  if (auto error = Called("PatchCustomMetadata")) return *error;
  const auto it = custom_.find({kind, ns, name});
  if (it == custom_.end()) return NotFound(kind + " " + Path(ns, name));
  it->second["metadata"].merge_patch(metadata);
  Stamp(&it->second);
  journal_.push_back("PatchCustomMetadata " + kind + " " + Path(ns, name) + " " + metadata.dump());
  if (auto error = Answered("PatchCustomMetadata")) return *error;
  return it->second;
}

Result<Json> FakeKubeOperations::GetWorkload(const std::string& kind, const std::string& ns,
                                             const std::string& name) {
  std::lock_guard lock(mu_);
  if (auto error = Called("GetWorkload")) return *error;
  const auto it = workloads_.find({kind, ns, name});
  if (it == workloads_.end()) return NotFound(kind + " " + Path(ns, name));
  return it->second;
}

void FakeKubeOperations::BeforeAction(std::function<void(const std::string&)> hook) {
  std::lock_guard lock(mu_);
  before_action_ = std::move(hook);
}

void FakeKubeOperations::RunBeforeAction(const std::string& line) {
  std::function<void(const std::string&)> hook;
  {
    std::lock_guard lock(mu_);
    hook = before_action_;
  }
  if (hook) hook(line);
}

Result<int> FakeKubeOperations::GetReplicas(const std::string& kind, const std::string& ns,
                                            const std::string& name) {
  std::lock_guard lock(mu_);
  if (auto error = Called("GetReplicas")) return *error;
  const auto it = workloads_.find({kind, ns, name});
  if (it == workloads_.end()) return NotFound(kind + " " + Path(ns, name));
  return it->second.value("spec", Json::object()).value("replicas", 1);
}

Status FakeKubeOperations::SetReplicas(const std::string& kind, const std::string& ns,
                                       const std::string& name, int replicas) {
  RunBeforeAction("SetReplicas " + kind + " " + Path(ns, name) + " " + std::to_string(replicas));
  std::lock_guard lock(mu_);
  if (auto error = Called("SetReplicas")) return *error;
  const auto it = workloads_.find({kind, ns, name});
  if (it == workloads_.end()) return NotFound(kind + " " + Path(ns, name));
  it->second["spec"]["replicas"] = replicas;
  Stamp(&it->second);
  journal_.push_back("SetReplicas " + kind + " " + Path(ns, name) + " " + std::to_string(replicas));
  if (auto error = Answered("SetReplicas")) return *error;
  return Status::Ok();
}

Status FakeKubeOperations::RolloutRestart(const std::string& kind, const std::string& ns,
                                          const std::string& name,
                                          const std::string& restarted_at) {
  RunBeforeAction("RolloutRestart " + kind + " " + Path(ns, name));
  std::lock_guard lock(mu_);
  if (auto error = Called("RolloutRestart")) return *error;
  const auto it = workloads_.find({kind, ns, name});
  if (it == workloads_.end()) return NotFound(kind + " " + Path(ns, name));
  it->second["spec"]["template"]["metadata"]["annotations"]["kubectl.kubernetes.io/restartedAt"] =
      restarted_at;
  Stamp(&it->second);
  journal_.push_back("RolloutRestart " + kind + " " + Path(ns, name) + " " + restarted_at);
  return Status::Ok();
}

Result<std::vector<Json>> FakeKubeOperations::ListPods(const std::string& ns,
                                                       const std::string& label_selector) {
  std::lock_guard lock(mu_);
  if (auto error = Called("ListPods")) return *error;
  auto selector = LabelSelector::Parse(label_selector);
  if (!selector.ok()) {
    return Error::Terminal("BadRequest", "labelSelector: " + selector.error().message, 400);
  }
  std::vector<Json> pods;
  for (const auto& [key, pod] : pods_) {
    if (key.first != ns) continue;
    if (selector->Matches(pod["metadata"].value("labels", Json()))) pods.push_back(pod);
  }
  return pods;
}

Status FakeKubeOperations::EvictPod(const std::string& ns, const std::string& pod) {
  RunBeforeAction("EvictPod " + Path(ns, pod));
  std::lock_guard lock(mu_);
  if (auto error = Called("EvictPod")) return *error;
  if (pods_.erase({ns, pod}) == 0) return NotFound("pod " + Path(ns, pod));
  journal_.push_back("EvictPod " + Path(ns, pod));
  return Status::Ok();
}

Status FakeKubeOperations::DeletePod(const std::string& ns, const std::string& pod,
                                     int grace_period_seconds) {
  RunBeforeAction("DeletePod " + Path(ns, pod));
  std::lock_guard lock(mu_);
  if (auto error = Called("DeletePod")) return *error;
  if (pods_.erase({ns, pod}) == 0) return NotFound("pod " + Path(ns, pod));
  journal_.push_back("DeletePod " + Path(ns, pod) +
                     " grace=" + std::to_string(grace_period_seconds));
  return Status::Ok();
}

Result<std::string> FakeKubeOperations::GetSecretValue(const std::string& ns,
                                                       const std::string& name,
                                                       const std::string& key) {
  std::lock_guard lock(mu_);
  if (auto error = Called("GetSecretValue")) return *error;
  const auto it = secrets_.find({ns, name, key});
  if (it == secrets_.end()) return NotFound("secret " + Path(ns, name) + " key " + key);
  return it->second;
}

Status FakeKubeOperations::RecordEvent(const Json& involved, const std::string& type,
                                       const std::string& reason, const std::string& message) {
  std::lock_guard lock(mu_);
  if (auto error = Called("RecordEvent")) return *error;
  RecordedEvent e{involved.value("kind", ""),
                  Text(involved, "namespace"),
                  Text(involved, "name"),
                  type,
                  reason,
                  message};
  journal_.push_back("RecordEvent " + e.kind + " " + Path(e.ns, e.name) + " " + reason);
  events_.push_back(std::move(e));
  return Status::Ok();
}

}  // namespace kubeheal::controllers
