#include "kubeheal/kube/leader_elector.h"

#include <cstdio>
#include <ctime>

#include "kubeheal/common/logger.h"

namespace kubeheal::kube {

std::string FormatMicroTime(Clock::TimePoint t) {
  const auto us =
      std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
  const std::time_t secs = static_cast<std::time_t>(us / 1'000'000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char date[32];
  std::strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%S", &tm);
  char out[48];
  std::snprintf(out, sizeof out, "%s.%06lldZ", date, static_cast<long long>(us % 1'000'000));
  return out;
}

LeaderElector::LeaderElector(std::shared_ptr<Client> client, LeaderElectionConfig config,
                             LeaderCallbacks callbacks, std::shared_ptr<Clock> clock)
    : client_(std::move(client)),
      config_(std::move(config)),
      callbacks_(std::move(callbacks)),
      clock_(std::move(clock)) {}

std::string LeaderElector::ObservedLeader() const {
  std::lock_guard lock(mu_);
  return observed_holder_;
}

void LeaderElector::Observe(const Json& lease) {
  const Json spec = lease.value("spec", Json::object());
  const std::string holder = spec.value("holderIdentity", "");
  const std::string renew = spec.value("renewTime", "");
  bool changed_holder = false;
  {
    std::lock_guard lock(mu_);
    if (holder != observed_holder_ || renew != observed_renew_time_ ||
        observed_at_ == std::chrono::steady_clock::time_point{}) {
      changed_holder = holder != observed_holder_;
      observed_holder_ = holder;
      observed_renew_time_ = renew;
      observed_at_ = clock_->SteadyNow();
    }
  }
  if (changed_holder && !holder.empty() && callbacks_.on_new_leader)
    callbacks_.on_new_leader(holder);
}

Json LeaderElector::NewLeaseSpec(bool new_holder, const Json& old_spec) const {
  const std::string now = FormatMicroTime(clock_->Now());
  Json spec = old_spec.is_object() ? old_spec : Json::object();
  spec["holderIdentity"] = config_.identity;
  spec["leaseDurationSeconds"] = static_cast<int>(config_.lease_duration.count());
  spec["renewTime"] = now;
  if (new_holder) {
    spec["acquireTime"] = now;
    spec["leaseTransitions"] = spec.value("leaseTransitions", 0) + (old_spec.is_object() ? 1 : 0);
  }
  return spec;
}

LeaderElector::Attempt LeaderElector::TryAcquireOrRenew() {
  const auto leases = GroupVersionResource::Leases();
  ApiResult<Json> current = client_->Get(leases, config_.lease_namespace, config_.lease_name);
  if (!current.ok()) {
    if (!IsNotFound(current.error())) return Attempt::kFailed;
    Json lease = {
        {"apiVersion", "coordination.k8s.io/v1"},
        {"kind", "Lease"},
        {"metadata", {{"name", config_.lease_name}, {"namespace", config_.lease_namespace}}},
        {"spec", NewLeaseSpec(true, Json())}};
    ApiResult<Json> created = client_->Create(leases, config_.lease_namespace, lease);
    if (!created.ok())
      return IsAlreadyExists(created.error()) ? Attempt::kHeldByOther : Attempt::kFailed;
    Observe(*created);
    return Attempt::kHeld;
  }
  Observe(*current);
  const Json old_spec = current->value("spec", Json::object());
  const std::string holder = old_spec.value("holderIdentity", "");
  const bool mine = holder == config_.identity;
  if (!mine && !holder.empty()) {
    std::lock_guard lock(mu_);
    const auto duration = std::chrono::seconds(
        old_spec.value("leaseDurationSeconds", static_cast<int>(config_.lease_duration.count())));
    if (clock_->SteadyNow() < observed_at_ + duration) return Attempt::kHeldByOther;
  }
  Json updated = *current;
  updated["spec"] = NewLeaseSpec(!mine, old_spec);
  ApiResult<Json> result = client_->Update(leases, config_.lease_namespace, updated);
  if (!result.ok()) {
    // A conflict means someone else wrote first; they are the leader for now.
    return IsConflict(result.error()) ? Attempt::kHeldByOther : Attempt::kFailed;
  }
  Observe(*result);
  return Attempt::kHeld;
}

Status LeaderElector::Release() {
  const auto leases = GroupVersionResource::Leases();
  ApiResult<Json> current = client_->Get(leases, config_.lease_namespace, config_.lease_name);
  if (!current.ok()) return current.error();
  Json lease = *current;
  if (lease["spec"].value("holderIdentity", "") != config_.identity) return Status::Ok();
  lease["spec"]["holderIdentity"] = "";
  lease["spec"]["leaseDurationSeconds"] = 1;
  lease["spec"]["renewTime"] = FormatMicroTime(clock_->Now());
  ApiResult<Json> result = client_->Update(leases, config_.lease_namespace, lease);
  if (!result.ok()) return result.error();
  return Status::Ok();
}

void LeaderElector::Run(CancelToken& cancel) {
  const std::string who = config_.lease_namespace + "/" + config_.lease_name;
  while (!cancel.cancelled() && TryAcquireOrRenew() != Attempt::kHeld) {
    if (cancel.WaitFor(*clock_, config_.retry_period)) return;
  }
  if (cancel.cancelled()) return;
  leader_ = true;
  Log().Info("became leader", {{"lease", who}, {"identity", config_.identity}});
  if (callbacks_.on_started_leading) callbacks_.on_started_leading();

  auto last_renew = clock_->SteadyNow();
  while (!cancel.WaitFor(*clock_, config_.retry_period)) {
    const Attempt a = TryAcquireOrRenew();
    if (a == Attempt::kHeld) {
      last_renew = clock_->SteadyNow();
      continue;
    }
    if (a == Attempt::kHeldByOther || clock_->SteadyNow() - last_renew > config_.renew_deadline) {
      Log().Warn("leadership lost",
                 {{"lease", who}, {"identity", config_.identity}, {"holder", ObservedLeader()}});
      break;
    }
  }
  leader_ = false;
  if (cancel.cancelled() && config_.release_on_cancel) {
    Status s = Release();
    if (!s.ok())
      Log().Warn("lease release failed", {{"lease", who}, {"error", s.error().ToString()}});
  }
  if (callbacks_.on_stopped_leading) callbacks_.on_stopped_leading();
}

}  // namespace kubeheal::kube
