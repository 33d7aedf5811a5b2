#include "kubeheal/kube/watch_state_machine.h"

#include <gtest/gtest.h>

#include "kubeheal/common/scripted_random_source.h"

namespace kubeheal::kube {
namespace {

using std::chrono::milliseconds;
using Kind = WatchStateMachine::ActionKind;
using State = WatchStateMachine::State;

WatchStateMachine Machine() {
  Backoff::Params p;
  p.initial = milliseconds(100);
  p.max = milliseconds(1000);
  p.jitter = 0;
  return WatchStateMachine(Backoff(p, FixedRandom(0.0)));
}

const auto kNow = std::chrono::steady_clock::time_point{};
const Error kReset = Error::Retryable("Transport", "connection reset");
const Error kGone = Error::Retryable("Expired", "too old resource version", 410);

TEST(WatchStateMachineTest, StartsWithAListThenWatchesFromItsVersion) {
  auto m = Machine();
  EXPECT_EQ(m.state(), State::kList);
  EXPECT_EQ(m.Next().kind, Kind::kList);
  m.OnListed("100");
  auto a = m.Next();
  EXPECT_EQ(a.kind, Kind::kWatch);
  EXPECT_EQ(a.resource_version, "100");
}

TEST(WatchStateMachineTest, EventsAndBookmarksMoveTheResumePoint) {
  auto m = Machine();
  m.OnListed("100");
  m.OnEvent("105");
  m.OnEvent("");       // an object without a version does not erase the resume point
  m.OnEvent("110");    // bookmark
  m.OnStreamClosed();  // server timeout: resume at once, no backoff
  auto a = m.Next();
  EXPECT_EQ(a.kind, Kind::kWatch);
  EXPECT_EQ(a.resource_version, "110");
}

TEST(WatchStateMachineTest, NetworkFailureBacksOffThenResumesFromTheSameVersion) {
  auto m = Machine();
  m.OnListed("100");
  m.OnEvent("120");
  m.OnWatchFailed(kReset, kNow);
  EXPECT_EQ(m.state(), State::kBackoff);
  auto wait = m.Next();
  EXPECT_EQ(wait.kind, Kind::kWait);
  EXPECT_EQ(wait.delay, milliseconds(100));
  m.OnWaited();
  auto a = m.Next();
  EXPECT_EQ(a.kind, Kind::kWatch);
  EXPECT_EQ(a.resource_version, "120");
  // Repeated failures grow the delay; an event resets it.
  m.OnWatchFailed(kReset, kNow);
  EXPECT_EQ(m.Next().delay, milliseconds(200));
  m.OnWaited();
  m.OnWatchFailed(kReset, kNow);
  EXPECT_EQ(m.Next().delay, milliseconds(400));
  m.OnWaited();
  m.OnEvent("121");
  m.OnWatchFailed(kReset, kNow);
  EXPECT_EQ(m.Next().delay, milliseconds(100));
}

TEST(WatchStateMachineTest, GoneForgetsTheVersionAndReLists) {
  auto m = Machine();
  m.OnListed("100");
  m.OnWatchFailed(kGone, kNow);
  EXPECT_EQ(m.state(), State::kList);
  EXPECT_EQ(m.Next().kind, Kind::kList);
  EXPECT_EQ(m.resource_version(), "");
  EXPECT_EQ(m.relists(), 1);
  m.OnListed("300");
  EXPECT_EQ(m.Next().resource_version, "300");
}

TEST(WatchStateMachineTest, ListFailureBacksOffThenListsAgain) {
  auto m = Machine();
  m.OnListFailed(Error::Terminal("Forbidden", "no", 403), kNow);
  EXPECT_EQ(m.Next().kind, Kind::kWait);
  EXPECT_EQ(m.after_wait(), State::kList);
  m.OnWaited();
  EXPECT_EQ(m.Next().kind, Kind::kList);
  m.OnListFailed(kReset, kNow);
  EXPECT_EQ(m.Next().delay, milliseconds(200));
  m.OnWaited();
  m.OnListed("5");  // success resets the backoff
  m.OnWatchFailed(kReset, kNow);
  EXPECT_EQ(m.Next().delay, milliseconds(100));
}

}  // namespace
}  // namespace kubeheal::kube

namespace kubeheal::kube {
namespace {

TEST(WatchStateMachineResumeTest, ResumingWatchesFirstAndListsOnlyAfterGone) {
  auto m = Machine();
  m.ResumeFrom("1");
  auto a = m.Next();
  EXPECT_EQ(a.kind, Kind::kWatch);
  EXPECT_EQ(a.resource_version, "1");
  m.OnWatchFailed(kGone, kNow);
  EXPECT_EQ(m.Next().kind, Kind::kList);
}

}  // namespace
}  // namespace kubeheal::kube
