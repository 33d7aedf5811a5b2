#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "kubeheal/common/clock.h"
#include "kubeheal/kube/cancel_token.h"
#include "kubeheal/kube/client.h"

namespace kubeheal::kube {

struct LeaderElectionConfig {
  std::string lease_namespace;
  std::string lease_name;
  std::string identity;                          // unique per process, e.g. pod name + random
  std::chrono::seconds lease_duration{15};       // others wait this long after our last renew
  std::chrono::seconds renew_deadline{10};       // we give up leading if renewals fail this long
  std::chrono::milliseconds retry_period{2000};  // between attempts and renewals
  bool release_on_cancel = true;                 // free the Lease on shutdown (SIGTERM)
};

struct LeaderCallbacks {
  std::function<void()> on_started_leading;
  // Leadership is over (lost, or released on shutdown): the caller must stop acting at once.
  std::function<void()> on_stopped_leading;
  std::function<void(const std::string& identity)> on_new_leader;
};

// Leader election on a coordination.k8s.io/v1 Lease, as client-go does it: a candidate takes
// the Lease when it is free or when its holder has not renewed for leaseDurationSeconds as
// measured on OUR clock from when we last saw the record change (so clock skew between
// nodes does not matter); updates use the Lease's resourceVersion, so two candidates cannot
// both win. Run() blocks on the calling thread; IsLeader() may be read from any thread.
class LeaderElector {
 public:
  enum class Attempt { kHeld, kHeldByOther, kFailed };

  LeaderElector(std::shared_ptr<Client> client, LeaderElectionConfig config,
                LeaderCallbacks callbacks, std::shared_ptr<Clock> clock);

  // Campaigns until leader, then renews until leadership is lost or `cancel` fires; returns
  // when leadership ends (or on cancel before winning).
  void Run(CancelToken& cancel);
  // One acquire-or-renew round.
  Attempt TryAcquireOrRenew();
  // Gives the Lease up if we hold it, so a successor need not wait for expiry.
  Status Release();

  bool IsLeader() const { return leader_.load(); }
  std::string ObservedLeader() const;

 private:
  Json NewLeaseSpec(bool new_holder, const Json& old_spec) const;
  void Observe(const Json& lease);

  std::shared_ptr<Client> client_;
  LeaderElectionConfig config_;
  LeaderCallbacks callbacks_;
  std::shared_ptr<Clock> clock_;
  std::atomic<bool> leader_{false};

  mutable std::mutex mu_;  // guards the observation below
  std::string observed_holder_;
  std::string observed_renew_time_;
  std::chrono::steady_clock::time_point observed_at_{};
};

// Kubernetes MicroTime: "2026-11-22T08:00:00.123456Z".
std::string FormatMicroTime(Clock::TimePoint t);

}  // namespace kubeheal::kube
