#include "kubeheal/kube/manager.h"

#include <atomic>
#include <thread>

#include "kubeheal/common/logger.h"

namespace kubeheal::kube {

namespace {

constexpr auto kForever = std::chrono::hours(24 * 365 * 10);

void StopInReverse(std::vector<Runnable>& runnables, size_t started) {
  for (size_t i = started; i-- > 0;) {
    runnables[i].stop();
    Log().Info("stopped", {{"runnable", runnables[i].name}});
  }
}

}  // namespace

Election LeaseElection(std::shared_ptr<Client> client, LeaderElectionConfig config,
                       std::shared_ptr<Clock> clock) {
  return [client = std::move(client), config = std::move(config), clock = std::move(clock)](
             CancelToken& cancel, LeaderCallbacks callbacks) {
    callbacks.on_new_leader = [](const std::string& id) {
      Log().Info("leader observed", {{"leader", id}});
    };
    LeaderElector elector(client, config, std::move(callbacks), clock);
    elector.Run(cancel);
  };
}

void Manager::StartLeaderOnly(CancelToken& stop) {
  std::lock_guard lock(mu_);
  if (stopping_) return;  // won after the shutdown began
  for (; leader_only_started_ < leader_only_.size(); ++leader_only_started_) {
    auto& r = leader_only_[leader_only_started_];
    if (auto s = r.start(); !s.ok()) {
      Log().Error("failed to start", {{"runnable", r.name}, {"error", s.error().ToString()}});
      stop.Cancel();
      return;
    }
    Log().Info("started", {{"runnable", r.name}, {"leader_only", true}});
  }
}

void Manager::StopLeaderOnly() {
  std::lock_guard lock(mu_);
  stopping_ = true;
  StopInReverse(leader_only_, leader_only_started_);
  leader_only_started_ = 0;
}

Manager::Outcome Manager::Run(CancelToken& stop) {
  size_t started = 0;
  for (; started < runnables_.size(); ++started) {
    auto& r = runnables_[started];
    if (auto s = r.start(); !s.ok()) {
      Log().Error("failed to start", {{"runnable", r.name}, {"error", s.error().ToString()}});
      StopInReverse(runnables_, started);
      return Outcome::kFailedToStart;
    }
    Log().Info("started", {{"runnable", r.name}});
  }
  std::atomic<bool> lost{false};
  if (!election_) {
    StartLeaderOnly(stop);
    stop.WaitFor(kForever);
    StopLeaderOnly();
  } else {
    // The election has a token of its own: on shutdown the Lease is released only after the
    // leader-only runnables have stopped, yet as soon as they have, so a successor takes over
    // within one retry period instead of waiting for the Lease to expire.
    CancelToken election_stop;
    LeaderCallbacks callbacks;
    callbacks.on_started_leading = [&] { StartLeaderOnly(stop); };
    callbacks.on_stopped_leading = [&] {
      StopLeaderOnly();
      if (stop.cancelled()) {
        Log().Info("leadership released");
      } else {
        Log().Warn("leadership lost: stopping");
        lost = true;
      }
      stop.Cancel();
    };
    std::thread election([&] { election_(election_stop, callbacks); });
    stop.WaitFor(kForever);
    StopLeaderOnly();
    election_stop.Cancel();
    election.join();
  }
  StopInReverse(runnables_, started);
  return lost ? Outcome::kLeadershipLost : Outcome::kStopped;
}

}  // namespace kubeheal::kube
