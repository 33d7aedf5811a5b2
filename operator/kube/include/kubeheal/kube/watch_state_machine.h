#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "kubeheal/common/error.h"
#include "kubeheal/kube/backoff.h"

namespace kubeheal::kube {

// The list/watch cycle of a reflector as an explicit state machine (no I/O, no clock reads):
//
//   kList --listed(rv)--> kWatch --event/bookmark(rv)--> kWatch (rv advances)
//     ^                    |  server closed stream ------> kWatch (resume from rv, no delay)
//     |                    |  retryable failure ---------> kBackoff -> kWatch (resume from rv)
//     |                    |  410 Gone ------------------> kList (re-list, rv forgotten)
//     +-- kBackoff <-- list failed
//
// The runner asks Next() what to do, does it, and reports the outcome. Every failure path
// waits a jittered exponential delay from the Backoff passed in; a successful list or an event
// resets it. Not thread-safe: owned by the reflector thread.
class WatchStateMachine {
 public:
  enum class State { kList, kWatch, kBackoff };
  enum class ActionKind { kList, kWatch, kWait };
  struct Action {
    ActionKind kind;
    std::string resource_version;      // for kWatch: resume point
    std::chrono::nanoseconds delay{};  // for kWait
  };
  using TimePoint = std::chrono::steady_clock::time_point;

  explicit WatchStateMachine(Backoff backoff);

  Action Next();
  // Starts by watching from a known version instead of listing (e.g. a resumed consumer);
  // a 410 then leads to the list as usual.
  void ResumeFrom(const std::string& resource_version);
  void OnListed(const std::string& resource_version);
  void OnListFailed(const Error& error, TimePoint now);
  // ADDED/MODIFIED/DELETED/BOOKMARK: the resume point moves to the object's resourceVersion.
  void OnEvent(const std::string& resource_version);
  void OnStreamClosed();
  void OnWatchFailed(const Error& error, TimePoint now);
  void OnWaited();

  State state() const { return state_; }
  const std::string& resource_version() const { return resource_version_; }
  // After a wait, the state that follows (kList or kWatch).
  State after_wait() const { return after_wait_; }
  int relists() const { return relists_; }

 private:
  void EnterBackoff(State then, TimePoint now);

  Backoff backoff_;
  State state_ = State::kList;
  State after_wait_ = State::kList;
  std::chrono::nanoseconds pending_delay_{};
  std::string resource_version_;
  int relists_ = 0;
};

std::string_view ToString(WatchStateMachine::State s);

}  // namespace kubeheal::kube
