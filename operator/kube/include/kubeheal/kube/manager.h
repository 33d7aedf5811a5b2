#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "kubeheal/common/clock.h"
#include "kubeheal/common/result.h"
#include "kubeheal/kube/cancel_token.h"
#include "kubeheal/kube/client.h"
#include "kubeheal/kube/leader_elector.h"

namespace kubeheal::kube {

// A part of the process the manager starts and stops: a listener, the informers, a controller.
struct Runnable {
  std::string name;
  std::function<Status()> start;  // returns once started; an error stops the process
  std::function<void()> stop;     // returns once stopped (in-flight work finished)
};

// A campaign for leadership: calls callbacks.on_started_leading when it wins and
// callbacks.on_stopped_leading when leadership ends (lost, or released once `cancel` fires);
// returns after that, or when `cancel` fires before it won.
using Election = std::function<void(CancelToken& cancel, LeaderCallbacks callbacks)>;

// The Lease election of LeaderElector, as an Election.
Election LeaseElection(std::shared_ptr<Client> client, LeaderElectionConfig config,
                       std::shared_ptr<Clock> clock);

// Runs a process's parts as controller-runtime's manager does: runnables added with Add run on
// every replica (so a standby is warm and observable), those added with AddLeaderOnly only while
// this process leads. Without an election the leader-only ones start at once.
//
// Order: Run starts the Add runnables in the order added, then (on winning) the leader-only ones;
// it stops everything in reverse. The leader-only ones stop the same way on shutdown and on a
// lost Lease, before the Lease is released, so a successor never overlaps with us; leadership
// won after the shutdown began starts nothing.
class Manager {
 public:
  enum class Outcome { kStopped, kLeadershipLost, kFailedToStart };

  explicit Manager(Election election = nullptr) : election_(std::move(election)) {}

  void Add(Runnable r) { runnables_.push_back(std::move(r)); }
  void AddLeaderOnly(Runnable r) { leader_only_.push_back(std::move(r)); }

  // Blocks until `stop` fires, leadership is lost (then `stop` is cancelled too) or a runnable
  // fails to start; everything started is stopped before it returns.
  Outcome Run(CancelToken& stop);

 private:
  void StartLeaderOnly(CancelToken& stop);
  void StopLeaderOnly();

  Election election_;
  std::vector<Runnable> runnables_;
  std::vector<Runnable> leader_only_;

  std::mutex mu_;  // the leader-only runnables' state, touched by Run and the election thread
  bool stopping_ = false;
  size_t leader_only_started_ = 0;
};

}  // namespace kubeheal::kube
