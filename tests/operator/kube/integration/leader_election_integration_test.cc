// Leader election and the event recorder against a real kube-apiserver.
#include <atomic>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "kubeheal/common/clock.h"
#include "kubeheal/kube/event_recorder.h"
#include "kubeheal/kube/leader_elector.h"
#include "test_cluster.h"

namespace kubeheal::kube {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using testing::Eventually;
using testing::TestNamespace;

class LeaderElectionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string why;
    admin_ = testing::ClientFor(testing::AdminKubeconfigPath(), &why);
    ASSERT_NE(admin_, nullptr) << why;
    ns_ = std::make_unique<TestNamespace>(admin_, "lease");
    ASSERT_TRUE(ns_->ok()) << ns_->error();
  }
  // Each candidate gets its own client and connection, as separate processes would.
  struct Candidate {
    std::unique_ptr<LeaderElector> elector;
    CancelToken cancel;
    std::thread thread;
    std::atomic<int> started{0}, stopped{0};
    ~Candidate() {
      cancel.Cancel();
      if (thread.joinable()) thread.join();
    }
  };
  std::unique_ptr<Candidate> Start(const std::string& id, bool release_on_cancel) {
    std::string why;
    auto client = testing::ClientFor(testing::AdminKubeconfigPath(), &why);
    EXPECT_NE(client, nullptr) << why;
    auto c = std::make_unique<Candidate>();
    LeaderElectionConfig cfg;
    cfg.lease_namespace = ns_->name();
    cfg.lease_name = "kubeheal-leader";
    cfg.identity = id;
    cfg.lease_duration = seconds(4);
    cfg.renew_deadline = seconds(3);
    cfg.retry_period = milliseconds(300);
    cfg.release_on_cancel = release_on_cancel;
    Candidate* raw = c.get();
    c->elector = std::make_unique<LeaderElector>(
        client, cfg, LeaderCallbacks{[raw] { ++raw->started; }, [raw] { ++raw->stopped; }, {}},
        RealClock());
    c->thread = std::thread([raw] { raw->elector->Run(raw->cancel); });
    return c;
  }
  Json Lease() {
    auto l = admin_->Get(GroupVersionResource::Leases(), ns_->name(), "kubeheal-leader");
    return l.ok() ? *l : Json();
  }

  std::shared_ptr<Client> admin_;
  std::unique_ptr<TestNamespace> ns_;
};

TEST_F(LeaderElectionTest, OnlyOneLeadsAndTheOtherTakesOverAfterExpiry) {
  auto a = Start("candidate-a", /*release_on_cancel=*/false);
  ASSERT_TRUE(Eventually([&] { return a->elector->IsLeader(); }, seconds(10)));
  auto b = Start("candidate-b", true);
  std::this_thread::sleep_for(seconds(2));
  EXPECT_FALSE(b->elector->IsLeader());
  EXPECT_EQ(b->elector->ObservedLeader(), "candidate-a");
  EXPECT_EQ(Lease()["spec"]["holderIdentity"], "candidate-a");

  // A dies without releasing (as after SIGKILL): B must wait out the lease, then take it.
  const auto t0 = std::chrono::steady_clock::now();
  a->cancel.Cancel();
  a->thread.join();
  ASSERT_TRUE(Eventually([&] { return b->elector->IsLeader(); }, seconds(10)));
  const auto took = std::chrono::steady_clock::now() - t0;
  EXPECT_LE(took, seconds(4) + milliseconds(1500)) << "takeover slower than the lease duration";
  EXPECT_GE(took, seconds(2)) << "took over before the lease could have expired";
  Json lease = Lease();
  EXPECT_EQ(lease["spec"]["holderIdentity"], "candidate-b");
  EXPECT_EQ(lease["spec"]["leaseTransitions"], 1);
  EXPECT_EQ(a->started, 1);
  EXPECT_EQ(a->stopped, 1);

  // B shuts down cleanly and releases: a newcomer need not wait for expiry.
  b->cancel.Cancel();
  b->thread.join();
  EXPECT_EQ(Lease()["spec"]["holderIdentity"], "");
  const auto t1 = std::chrono::steady_clock::now();
  auto c = Start("candidate-c", true);
  ASSERT_TRUE(Eventually([&] { return c->elector->IsLeader(); }, seconds(10)));
  EXPECT_LT(std::chrono::steady_clock::now() - t1, seconds(2));
}

TEST_F(LeaderElectionTest, LosingTheLeaseCallsOnStoppedLeading) {
  auto a = Start("candidate-a", true);
  ASSERT_TRUE(Eventually([&] { return a->elector->IsLeader(); }, seconds(10)));
  // Someone else (an operator replica with a skewed view, or a human) takes the Lease.
  Json lease = Lease();
  lease["spec"]["holderIdentity"] = "intruder";
  lease["spec"]["renewTime"] = FormatMicroTime(RealClock()->Now());
  ASSERT_TRUE(admin_->Update(GroupVersionResource::Leases(), ns_->name(), lease).ok());
  ASSERT_TRUE(Eventually([&] { return a->stopped.load() == 1; }, seconds(5)));
  EXPECT_FALSE(a->elector->IsLeader());
  EXPECT_EQ(Lease()["spec"]["holderIdentity"], "intruder");  // a loser never releases others' lease
}

TEST_F(LeaderElectionTest, EventRecorderAggregatesRepeatsOnTheServer) {
  auto cm = admin_->Create(GroupVersionResource::ConfigMaps(), ns_->name(),
                           testing::ConfigMap(ns_->name(), "target"));
  ASSERT_TRUE(cm.ok()) << cm.error().ToString();
  EventRecorder recorder(admin_, RealClock(), "kubeheal-test");
  for (int i = 0; i < 3; ++i) {
    auto r = recorder.Record(*cm, "Warning", "AnomalyDetected", "error rate 12% > 5%");
    ASSERT_TRUE(r.ok()) << r.error().ToString();
  }
  ASSERT_TRUE(recorder.Record(*cm, "Normal", "Healed", "circuit closed").ok());
  auto events = admin_->ListAll(GroupVersionResource::Events(), ns_->name());
  ASSERT_TRUE(events.ok());
  ASSERT_EQ(events->items.size(), 2u);
  std::map<std::string, int> counts;
  for (const auto& e : events->items) {
    counts[e["reason"]] = e["count"];
    EXPECT_EQ(e["involvedObject"]["name"], "target");
    EXPECT_EQ(e["source"]["component"], "kubeheal-test");
  }
  EXPECT_EQ(counts["AnomalyDetected"], 3);
  EXPECT_EQ(counts["Healed"], 1);
}

}  // namespace
}  // namespace kubeheal::kube
