#include "kubeheal/kube/leader_elector.h"

#include <atomic>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "kubeheal/common/fake_clock.h"
#include "mock_http_transport.h"

namespace kubeheal::kube {
namespace {

using ::testing::_;
using ::testing::AllOf;
using ::testing::Field;
using ::testing::HasSubstr;
using testing::IsRequest;
using testing::MockHttpTransport;
using testing::Respond;
using ::testing::Return;
using Attempt = LeaderElector::Attempt;

constexpr const char* kPath = "/apis/coordination.k8s.io/v1/namespaces/ops/leases/lead";

Json Lease(const std::string& holder, const std::string& renew, int transitions = 0) {
  return {{"apiVersion", "coordination.k8s.io/v1"},
          {"kind", "Lease"},
          {"metadata", {{"name", "lead"}, {"namespace", "ops"}, {"resourceVersion", "7"}}},
          {"spec",
           {{"holderIdentity", holder},
            {"leaseDurationSeconds", 15},
            {"renewTime", renew},
            {"leaseTransitions", transitions}}}};
}

class LeaderElectorTest : public ::testing::Test {
 protected:
  LeaderElector Elector() {
    LeaderElectionConfig cfg;
    cfg.lease_namespace = "ops";
    cfg.lease_name = "lead";
    cfg.identity = "me";
    return LeaderElector(std::make_shared<Client>(transport_), cfg, {}, clock_);
  }
  std::shared_ptr<MockHttpTransport> transport_ = std::make_shared<MockHttpTransport>();
  std::shared_ptr<FakeClock> clock_ = std::make_shared<FakeClock>();
};

TEST_F(LeaderElectorTest, CreatesTheLeaseWhenThereIsNone) {
  EXPECT_CALL(*transport_, Send(IsRequest("GET", kPath)))
      .WillOnce(Return(Result<HttpResponse>(
          Respond(404, R"({"kind":"Status","reason":"NotFound","code":404})"))));
  EXPECT_CALL(*transport_,
              Send(AllOf(IsRequest("POST", "/apis/coordination.k8s.io/v1/namespaces/ops/leases"),
                         Field(&HttpRequest::body, HasSubstr(R"("holderIdentity":"me")")))))
      .WillOnce(Return(Result<HttpResponse>(Respond(201, Lease("me", "t1").dump()))));
  auto e = Elector();
  EXPECT_EQ(e.TryAcquireOrRenew(), Attempt::kHeld);
  EXPECT_EQ(e.ObservedLeader(), "me");
}

TEST_F(LeaderElectorTest, WaitsForExpiryOnItsOwnClockBeforeTakingOver) {
  // The holder stopped renewing: the record never changes from here on.
  EXPECT_CALL(*transport_, Send(IsRequest("GET", kPath)))
      .WillRepeatedly(Return(Result<HttpResponse>(Respond(200, Lease("other", "t0", 2).dump()))));
  EXPECT_CALL(*transport_,
              Send(AllOf(IsRequest("PUT", kPath),
                         Field(&HttpRequest::body, HasSubstr(R"("holderIdentity":"me")")),
                         Field(&HttpRequest::body, HasSubstr(R"("leaseTransitions":3)")),
                         Field(&HttpRequest::body, HasSubstr(R"("resourceVersion":"7")")))))
      .WillOnce(Return(Result<HttpResponse>(Respond(200, Lease("me", "t2", 3).dump()))));
  auto e = Elector();
  EXPECT_EQ(e.TryAcquireOrRenew(), Attempt::kHeldByOther);
  EXPECT_EQ(e.ObservedLeader(), "other");
  clock_->Advance(std::chrono::seconds(14));
  EXPECT_EQ(e.TryAcquireOrRenew(), Attempt::kHeldByOther);
  clock_->Advance(std::chrono::seconds(2));
  EXPECT_EQ(e.TryAcquireOrRenew(), Attempt::kHeld);
  EXPECT_EQ(e.ObservedLeader(), "me");
}

TEST_F(LeaderElectorTest, ARenewingHolderKeepsTheLease) {
  EXPECT_CALL(*transport_, Send(IsRequest("GET", kPath)))
      .WillOnce(Return(Result<HttpResponse>(Respond(200, Lease("other", "t0").dump()))))
      .WillRepeatedly(Return(Result<HttpResponse>(Respond(200, Lease("other", "t1").dump()))));
  EXPECT_CALL(*transport_, Send(IsRequest("PUT", kPath))).Times(0);
  auto e = Elector();
  EXPECT_EQ(e.TryAcquireOrRenew(), Attempt::kHeldByOther);
  clock_->Advance(std::chrono::seconds(10));
  EXPECT_EQ(e.TryAcquireOrRenew(), Attempt::kHeldByOther);  // renewed meanwhile: timer restarts
  clock_->Advance(std::chrono::seconds(10));  // 20s after first seeing t0, 10s after seeing t1
  EXPECT_EQ(e.TryAcquireOrRenew(), Attempt::kHeldByOther);
}

TEST_F(LeaderElectorTest, ConflictOnUpdateMeansSomeoneElseWon) {
  EXPECT_CALL(*transport_, Send(IsRequest("GET", kPath)))
      .WillOnce(Return(Result<HttpResponse>(Respond(200, Lease("", "t0").dump()))));
  EXPECT_CALL(*transport_, Send(IsRequest("PUT", kPath)))
      .WillOnce(Return(Result<HttpResponse>(
          Respond(409, R"({"kind":"Status","reason":"Conflict","code":409})"))));
  auto e = Elector();
  EXPECT_EQ(e.TryAcquireOrRenew(), Attempt::kHeldByOther);
}

TEST_F(LeaderElectorTest, ReleaseOnlyClearsOurOwnLease) {
  EXPECT_CALL(*transport_, Send(IsRequest("GET", kPath)))
      .WillOnce(Return(Result<HttpResponse>(Respond(200, Lease("other", "t0").dump()))))
      .WillOnce(Return(Result<HttpResponse>(Respond(200, Lease("me", "t0").dump()))));
  EXPECT_CALL(*transport_,
              Send(AllOf(IsRequest("PUT", kPath),
                         Field(&HttpRequest::body, HasSubstr(R"("holderIdentity":"")")))))
      .WillOnce(Return(Result<HttpResponse>(Respond(200, Lease("", "t1").dump()))));
  auto e = Elector();
  EXPECT_TRUE(e.Release().ok());
  EXPECT_TRUE(e.Release().ok());
}

TEST(MicroTimeTest, FormatsMicroseconds) {
  Clock::TimePoint t{std::chrono::seconds(1'800'000'000) + std::chrono::microseconds(42)};
  EXPECT_EQ(FormatMicroTime(t), "2027-01-15T08:00:00.000042Z");
}

TEST_F(LeaderElectorTest, RunRetriesOnItsOwnClockAndStopsOnCancel) {
  std::atomic<int> gets{0};
  EXPECT_CALL(*transport_, Send(IsRequest("GET", kPath)))
      .WillRepeatedly(::testing::InvokeWithoutArgs([&] {
        ++gets;  // a holder that renews every time we look
        return Result<HttpResponse>(
            Respond(200, Lease("other", "t" + std::to_string(gets)).dump()));
      }));
  auto e = Elector();
  CancelToken cancel;
  std::thread run([&] { e.Run(cancel); });
  auto until = [](auto done) {
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (!done() && std::chrono::steady_clock::now() < give_up) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return done();
  };
  ASSERT_TRUE(until([&] { return clock_->waiters() == 1; }));
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(gets, 1);  // real time passing is not the retry period passing
  clock_->Advance(std::chrono::milliseconds(2000));
  EXPECT_TRUE(until([&] { return gets == 2; }));
  cancel.Cancel();
  run.join();
  EXPECT_FALSE(e.IsLeader());
}

}  // namespace
}  // namespace kubeheal::kube
