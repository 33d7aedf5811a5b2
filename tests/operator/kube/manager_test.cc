// kube::Manager: runnables of every replica and leader-only ones, in order, stopped in reverse on
// shutdown and on a lost election, and nothing started by leadership won after shutdown began.
#include "kubeheal/kube/manager.h"

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace kubeheal::kube {
namespace {

using namespace std::chrono_literals;

// What the runnables did, in order, from any thread.
class Journal {
 public:
  void Note(const std::string& what) {
    std::lock_guard lock(mu_);
    entries_.push_back(what);
    cv_.notify_all();
  }
  std::vector<std::string> entries() {
    std::lock_guard lock(mu_);
    return entries_;
  }
  bool WaitFor(const std::string& what) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, 5s, [&] {
      return std::find(entries_.begin(), entries_.end(), what) != entries_.end();
    });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::string> entries_;
};

Runnable Noting(Journal& journal, const std::string& name, bool fail = false) {
  return {name,
          [&journal, name, fail] {
            journal.Note("start " + name);
            return fail ? Status(Error::Terminal("Broken", name)) : Status::Ok();
          },
          [&journal, name] { journal.Note("stop " + name); }};
}

// An election the test drives: it wins when told, and loses when told or releases on cancel.
class ScriptedElection {
 public:
  Election AsElection() {
    return [this](CancelToken& cancel, LeaderCallbacks callbacks) {
      std::unique_lock lock(mu_);
      while (!win_ && !cancel.cancelled()) cv_.wait_for(lock, 10ms);
      if (cancel.cancelled() && !win_) return;
      lock.unlock();
      callbacks.on_started_leading();
      lock.lock();
      while (!lose_ && !cancel.cancelled()) cv_.wait_for(lock, 10ms);
      lock.unlock();
      callbacks.on_stopped_leading();
    };
  }
  void Win() { Set(win_); }
  void Lose() { Set(lose_); }

 private:
  void Set(bool& flag) {
    std::lock_guard lock(mu_);
    flag = true;
    cv_.notify_all();
  }
  std::mutex mu_;
  std::condition_variable cv_;
  bool win_ = false;
  bool lose_ = false;
};

TEST(ManagerTest, WithoutAnElectionEverythingStartsInOrderAndStopsInReverse) {
  Journal journal;
  Manager manager;
  manager.Add(Noting(journal, "server"));
  manager.Add(Noting(journal, "informers"));
  manager.AddLeaderOnly(Noting(journal, "controller"));
  CancelToken stop;
  std::thread run([&] { EXPECT_EQ(manager.Run(stop), Manager::Outcome::kStopped); });
  ASSERT_TRUE(journal.WaitFor("start controller"));
  stop.Cancel();
  run.join();
  EXPECT_EQ(journal.entries(),
            (std::vector<std::string>{"start server", "start informers", "start controller",
                                      "stop controller", "stop informers", "stop server"}));
}

TEST(ManagerTest, AFailedStartStopsWhatStartedAndStartsNothingElse) {
  Journal journal;
  Manager manager;
  manager.Add(Noting(journal, "server"));
  manager.Add(Noting(journal, "informers", /*fail=*/true));
  manager.AddLeaderOnly(Noting(journal, "controller"));
  CancelToken stop;
  EXPECT_EQ(manager.Run(stop), Manager::Outcome::kFailedToStart);
  EXPECT_EQ(journal.entries(),
            (std::vector<std::string>{"start server", "start informers", "stop server"}));
}

TEST(ManagerTest, LeaderOnlyRunnablesStartOnWinningAndStopBeforeTheLeaseIsReleased) {
  Journal journal;
  ScriptedElection election;
  Manager manager(election.AsElection());
  manager.Add(Noting(journal, "informers"));
  manager.AddLeaderOnly(Noting(journal, "controller a"));
  manager.AddLeaderOnly(Noting(journal, "controller b"));
  CancelToken stop;
  std::thread run([&] { EXPECT_EQ(manager.Run(stop), Manager::Outcome::kStopped); });
  ASSERT_TRUE(journal.WaitFor("start informers"));
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(journal.entries(), std::vector<std::string>{"start informers"});  // a standby
  election.Win();
  ASSERT_TRUE(journal.WaitFor("start controller b"));
  stop.Cancel();
  run.join();
  EXPECT_EQ(journal.entries(),
            (std::vector<std::string>{"start informers", "start controller a", "start controller b",
                                      "stop controller b", "stop controller a", "stop informers"}));
}

TEST(ManagerTest, ALostLeaseStopsTheLeaderOnlyRunnablesAndEndsTheRun) {
  Journal journal;
  ScriptedElection election;
  Manager manager(election.AsElection());
  manager.Add(Noting(journal, "informers"));
  manager.AddLeaderOnly(Noting(journal, "controller"));
  CancelToken stop;
  election.Win();
  std::thread run([&] { EXPECT_EQ(manager.Run(stop), Manager::Outcome::kLeadershipLost); });
  ASSERT_TRUE(journal.WaitFor("start controller"));
  election.Lose();
  run.join();  // ends by itself
  EXPECT_TRUE(stop.cancelled());
  EXPECT_EQ(journal.entries(), (std::vector<std::string>{"start informers", "start controller",
                                                         "stop controller", "stop informers"}));
}

TEST(ManagerTest, LeadershipWonAfterShutdownBeganStartsNothing) {
  Journal journal;
  Manager manager([&](CancelToken& cancel, LeaderCallbacks callbacks) {
    while (!cancel.WaitFor(1ms)) {
    }
    callbacks.on_started_leading();  // a win that raced the shutdown
    callbacks.on_stopped_leading();
  });
  manager.AddLeaderOnly(Noting(journal, "controller"));
  CancelToken stop;
  stop.Cancel();
  EXPECT_EQ(manager.Run(stop), Manager::Outcome::kStopped);
  EXPECT_TRUE(journal.entries().empty());
}

}  // namespace
}  // namespace kubeheal::kube
