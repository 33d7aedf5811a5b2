#include "kubeheal/kube/watch_state_machine.h"

#include "kubeheal/common/enum_names.h"

namespace kubeheal::kube {

namespace {

constexpr EnumNameTable<WatchStateMachine::State, 3> kStateNames{
    {{WatchStateMachine::State::kList, "list"},
     {WatchStateMachine::State::kWatch, "watch"},
     {WatchStateMachine::State::kBackoff, "backoff"}}};

}  // namespace

std::string_view ToString(WatchStateMachine::State s) { return NameOf(kStateNames, s, "?"); }

WatchStateMachine::WatchStateMachine(Backoff backoff) : backoff_(std::move(backoff)) {}

WatchStateMachine::Action WatchStateMachine::Next() {
  switch (state_) {
    case State::kList:
      return {ActionKind::kList, "", {}};
    case State::kWatch:
      return {ActionKind::kWatch, resource_version_, {}};
    case State::kBackoff:
      return {ActionKind::kWait, "", pending_delay_};
  }
  return {ActionKind::kList, "", {}};
}

void WatchStateMachine::ResumeFrom(const std::string& resource_version) {
  resource_version_ = resource_version;
  state_ = State::kWatch;
}

void WatchStateMachine::OnListed(const std::string& resource_version) {
  resource_version_ = resource_version;
  backoff_.Reset();
  state_ = State::kWatch;
}

void WatchStateMachine::OnListFailed(const Error&, TimePoint now) {
  EnterBackoff(State::kList, now);
}

void WatchStateMachine::OnEvent(const std::string& resource_version) {
  if (!resource_version.empty()) resource_version_ = resource_version;
  backoff_.Reset();
}

void WatchStateMachine::OnStreamClosed() { state_ = State::kWatch; }

void WatchStateMachine::OnWatchFailed(const Error& error, TimePoint now) {
  if (error.http_status == 410) {
    // Our resume point was compacted away: only a fresh list can tell us the truth.
    resource_version_.clear();
    ++relists_;
    state_ = State::kList;
    return;
  }
  EnterBackoff(State::kWatch, now);
}

void WatchStateMachine::OnWaited() { state_ = after_wait_; }

void WatchStateMachine::EnterBackoff(State then, TimePoint now) {
  pending_delay_ = backoff_.Next(now);
  after_wait_ = then;
  state_ = State::kBackoff;
}

}  // namespace kubeheal::kube
