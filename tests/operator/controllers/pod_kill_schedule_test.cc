#include "kubeheal/controllers/pod_kill_schedule.h"

#include <set>

#include <gtest/gtest.h>

#include "kubeheal/api/duration.h"
#include "mocks.h"

namespace kubeheal::controllers {
namespace {

using namespace std::chrono_literals;

Json Pod(const std::string& name, const std::string& created = "2026-11-22T07:00:00Z") {
  Json pod = RunningPod(name, "10.0.0.1");
  pod["metadata"]["creationTimestamp"] = created;
  return pod;
}

api::ScenarioTarget Target(const std::string& pod, const std::string& killed_at = "") {
  api::ScenarioTarget t;
  t.pod = pod;
  t.killed_at = killed_at;
  return t;
}

std::vector<std::string> Names(const std::vector<PodKillSchedule::Kill>& kills) {
  std::vector<std::string> out;
  for (const auto& k : kills) out.push_back(k.pod + (k.new_target ? "+" : ""));
  return out;
}

class PodKillScheduleTest : public ::testing::Test {
 protected:
  PodKillScheduleTest() {
    fault_.type = "podKill";
    spec_.mode = "one";
    spec_.duration = api::Millis(60'000);
  }
  std::vector<PodKillSchedule::Kill> Due(const std::vector<api::ScenarioTarget>& targets,
                                         const std::vector<Json>& pods,
                                         std::chrono::seconds after_start) {
    return PodKillSchedule::Due(fault_, spec_, targets, pods, start_, start_ + after_start, "seed");
  }
  api::FaultSpec fault_;
  api::FaultScenarioSpec spec_;
  Clock::TimePoint start_ = *api::ParseRfc3339("2026-11-22T08:00:00Z");
};

TEST_F(PodKillScheduleTest, WithoutIntervalEachTargetIsKilledOnce) {
  const std::vector<Json> pods = {Pod("a"), Pod("b")};
  EXPECT_EQ(Names(Due({Target("a")}, pods, 0s)), std::vector<std::string>{"a"});
  // Killed: nothing more for the whole duration, although "b" was never touched.
  EXPECT_TRUE(Due({Target("a", "2026-11-22T08:00:00Z")}, pods, 30s).empty());
  EXPECT_FALSE(
      PodKillSchedule::NextRound(fault_, {Target("a", "2026-11-22T08:00:00Z")}, start_ + 60s));
}

TEST_F(PodKillScheduleTest, WithIntervalANewPodIsKilledEachRoundUntilTheEnd) {
  fault_.interval = api::Millis(10'000);
  // The replacement "a2" appeared after "a" was killed.
  const std::vector<Json> pods = {Pod("a2", "2026-11-22T08:00:02Z"), Pod("b"), Pod("c")};
  const std::vector<api::ScenarioTarget> after_first = {Target("a", "2026-11-22T08:00:00Z")};
  EXPECT_TRUE(Due(after_first, pods, 9s).empty());  // not due yet
  EXPECT_EQ(*PodKillSchedule::NextRound(fault_, after_first, start_ + 60s), start_ + 10s);
  const auto round = Due(after_first, pods, 10s);
  ASSERT_EQ(round.size(), 1u);  // mode one
  EXPECT_TRUE(round[0].new_target);
  // Every pod is eventually taken, never one already killed.
  std::vector<api::ScenarioTarget> targets = after_first;
  std::set<std::string> killed = {"a"};
  for (int i = 1; i <= 3; ++i) {
    auto kills = Due(targets, pods, std::chrono::seconds(10 * i));
    ASSERT_EQ(kills.size(), 1u) << "round " << i;
    EXPECT_TRUE(killed.insert(kills[0].pod).second) << kills[0].pod << " killed twice";
    targets.push_back(Target(kills[0].pod, FormatRfc3339(start_ + std::chrono::seconds(10 * i))));
  }
  EXPECT_EQ(killed, (std::set<std::string>{"a", "a2", "b", "c"}));
  EXPECT_TRUE(Due(targets, pods, 40s).empty());  // nothing eligible left: wait for replacements
  EXPECT_TRUE(Due(targets, {Pod("d", "2026-11-22T08:00:45Z")}, 60s).empty());  // ended
  EXPECT_EQ(*PodKillSchedule::NextRound(fault_, targets, start_ + 60s), start_ + 40s);
  EXPECT_FALSE(PodKillSchedule::NextRound(fault_, targets, start_ + 40s));  // at the end: none
}

TEST_F(PodKillScheduleTest, AStatefulSetReplacementOfTheSameNameIsANewPod) {
  fault_.interval = api::Millis(10'000);
  const std::vector<api::ScenarioTarget> targets = {Target("db-0", "2026-11-22T08:00:00Z")};
  EXPECT_TRUE(Due(targets, {Pod("db-0", "2026-11-22T07:00:00Z")}, 10s).empty());  // the old one
  EXPECT_EQ(Names(Due(targets, {Pod("db-0", "2026-11-22T08:00:03Z")}, 10s)),
            std::vector<std::string>{"db-0+"});
}

TEST_F(PodKillScheduleTest, AFailedDeletionIsRetriedBeforeAnyNewRound) {
  fault_.interval = api::Millis(10'000);
  const std::vector<api::ScenarioTarget> targets = {Target("a", "2026-11-22T08:00:00Z"),
                                                    Target("b")};
  EXPECT_EQ(Names(Due(targets, {Pod("b"), Pod("c")}, 20s)), std::vector<std::string>{"b"});
}

TEST_F(PodKillScheduleTest, TrimKeepsTheNewestKilledTargetsAndEveryTargetWithFaults) {
  std::vector<api::ScenarioTarget> targets;
  auto with_fault = Target("agent");
  with_fault.fault_ids = {"f-1"};
  targets.push_back(with_fault);
  for (size_t i = 0; i < PodKillSchedule::kMaxKilledTargets + 5; ++i) {
    targets.push_back(Target("p" + std::to_string(i), "2026-11-22T08:00:00Z"));
  }
  PodKillSchedule::Trim(&targets);
  ASSERT_EQ(targets.size(), PodKillSchedule::kMaxKilledTargets + 1);
  EXPECT_EQ(targets[0].pod, "agent");
  EXPECT_EQ(targets[1].pod, "p5");
}

}  // namespace
}  // namespace kubeheal::controllers
