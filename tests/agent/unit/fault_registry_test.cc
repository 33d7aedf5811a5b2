#include "kubeheal/agent/fault_registry.h"

#include <gtest/gtest.h>

#include "fake_request.h"
#include "kubeheal/agent/fault_snapshot_cache.h"
#include "kubeheal/common/fake_clock.h"
#include "kubeheal/common/scripted_random_source.h"

namespace kubeheal::agent {
namespace {

using namespace std::chrono_literals;
using Action = RequestFaultDecision::Action;
using testing::FakeRequest;

FaultSpec fault(FaultType type, double ttl, double percent = 100, std::string id = "") {
  FaultSpec spec;
  spec.id = std::move(id);
  spec.type = type;
  spec.percent = percent;
  spec.ttlSeconds = ttl;
  if (type == FaultType::kHttpError) spec.params.status = 503;
  if (type == FaultType::kLatency) spec.params.delayMs = 100;
  return spec;
}

std::shared_ptr<const ActiveFault> add(FaultRegistry& registry, FaultSpec spec) {
  auto result = registry.upsert(std::move(spec));
  EXPECT_TRUE(result.ok());
  return result->fault;
}

TEST(FaultRegistry, AssignsIdsAndListsOldestFirst) {
  FakeClock time;
  FaultRegistry registry(time);
  auto a = add(registry, fault(FaultType::kAbort, 60));
  auto b = add(registry, fault(FaultType::kHang, 60));
  EXPECT_EQ(a->spec.id, "f-1");
  EXPECT_EQ(b->spec.id, "f-2");
  auto list = registry.list();
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0]->spec.type, FaultType::kAbort);
}

TEST(FaultRegistry, FaultEndsByItselfAtExpiry) {
  FakeClock time;
  ScriptedRandomSource random({0.0});
  FaultRegistry registry(time);
  auto added = add(registry, fault(FaultType::kHttpError, 2.5));
  const FakeRequest request("GET", "/");
  EXPECT_EQ(registry.snapshot()->decide(request, time.SteadyNow(), random).action,
            Action::kHttpError);
  time.Advance(2499ms);
  EXPECT_EQ(registry.snapshot()->decide(request, time.SteadyNow(), random).action,
            Action::kHttpError);
  time.Advance(1ms);
  // Even before the reaper runs, a stale snapshot no longer applies it...
  EXPECT_EQ(registry.snapshot()->decide(request, time.SteadyNow(), random).action,
            Action::kForward);
  // ...and the reaper removes it and marks it ended for holders (hang).
  EXPECT_EQ(registry.expire(), 1u);
  EXPECT_TRUE(added->ended.load());
  EXPECT_TRUE(registry.list().empty());
}

TEST(FaultRegistry, SameIdReplacesAndRefreshesExpiry) {
  FakeClock time;
  FaultRegistry registry(time);
  auto first = registry.upsert(fault(FaultType::kAbort, 10, 100, "drill"));
  EXPECT_TRUE(first->created);
  time.Advance(8s);
  auto second = registry.upsert(fault(FaultType::kHttpError, 10, 100, "drill"));
  EXPECT_FALSE(second->created);
  EXPECT_TRUE(first->fault->ended.load());
  time.Advance(8s);
  auto list = registry.list();
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0]->spec.type, FaultType::kHttpError);
}

TEST(FaultRegistry, ClearRestoresAtOnceAndBumpsVersion) {
  FakeClock time;
  ScriptedRandomSource random({0.0});
  FaultRegistry registry(time);
  FaultSnapshotCache cache(registry);
  add(registry, fault(FaultType::kAbort, 60, 100, "a"));
  add(registry, fault(FaultType::kHang, 60, 100, "b"));
  const FakeRequest request("GET", "/");
  EXPECT_EQ(cache.current().decide(request, time.SteadyNow(), random).action, Action::kAbort);
  EXPECT_TRUE(registry.clear("a"));
  EXPECT_FALSE(registry.clear("a"));
  EXPECT_EQ(cache.current().decide(request, time.SteadyNow(), random).action, Action::kHang);
  EXPECT_EQ(registry.clearAll(), 1u);
  EXPECT_TRUE(cache.current().empty());
}

TEST(FaultRegistry, RefusesMoreThanTheLimit) {
  FakeClock time;
  FaultRegistry registry(time);
  for (std::size_t i = 0; i < FaultRegistry::kMaxFaults; ++i)
    add(registry, fault(FaultType::kAbort, 60));
  auto result = registry.upsert(fault(FaultType::kAbort, 60));
  ASSERT_FALSE(result.ok());
  time.Advance(61s);  // all expired: room again
  EXPECT_TRUE(registry.upsert(fault(FaultType::kAbort, 60)).ok());
}

TEST(FaultRegistry, ProcessFaultsStayOutOfTheDataPathSnapshot) {
  FakeClock time;
  FaultRegistry registry(time);
  FaultSpec leak = fault(FaultType::kMemoryLeak, 60);
  leak.params.mbPerSecond = 1;
  leak.params.capMb = 10;
  add(registry, leak);
  EXPECT_TRUE(registry.snapshot()->empty());
  EXPECT_EQ(registry.list().size(), 1u);
}

TEST(FaultSnapshot, PercentSelectsThatShareOfRequests) {
  FakeClock time;
  // Draws 0.005, 0.015, ... 0.995: exactly the 30 draws below 0.30 select. Not on the boundary:
  // ScriptedRandomSource hands out multiples of 2^-53, and 0.30 is not one.
  std::vector<double> draws;
  for (int i = 0; i < 100; ++i) draws.push_back((i + 0.5) / 100.0);
  ScriptedRandomSource random(draws);
  FaultRegistry registry(time);
  add(registry, fault(FaultType::kHttpError, 60, 30));
  const FakeRequest request("GET", "/");
  int errors = 0;
  for (int i = 0; i < 100; ++i) {
    if (registry.snapshot()->decide(request, time.SteadyNow(), random).action == Action::kHttpError)
      ++errors;
  }
  EXPECT_EQ(errors, 30);
  EXPECT_EQ(registry.list()[0]->injected.load(), 30u);
}

TEST(FaultSnapshot, LatencyAddsUpAndEvaluationContinues) {
  FakeClock time;
  // At 100% no draw selects; the one draw is the jitter: ~1.0 means +jitterMs.
  ScriptedRandomSource random({1.0 - 1e-9});
  FaultRegistry registry(time);
  FaultSpec slow = fault(FaultType::kLatency, 60);
  slow.params.delayMs = 200;
  slow.params.jitterMs = 50;
  add(registry, slow);
  add(registry, fault(FaultType::kHttpError, 60));
  const FakeRequest request("GET", "/");
  auto decision = registry.snapshot()->decide(request, time.SteadyNow(), random);
  EXPECT_EQ(decision.delay, 250ms);
  EXPECT_EQ(decision.action, Action::kHttpError);
  EXPECT_EQ(decision.fault->spec.params.status, 503);
}

TEST(FaultSnapshot, JitterNeverMakesDelayNegative) {
  FakeClock time;
  ScriptedRandomSource random({0.0});
  FaultRegistry registry(time);
  FaultSpec slow = fault(FaultType::kLatency, 60);
  slow.params.delayMs = 10;
  slow.params.jitterMs = 100;
  add(registry, slow);
  auto decision = registry.snapshot()->decide(FakeRequest("GET", "/"), time.SteadyNow(), random);
  EXPECT_EQ(decision.delay, 0ms);
}

TEST(FaultSnapshot, AbortWinsOverHangAndHttpError) {
  FakeClock time;
  ScriptedRandomSource random({0.0});
  FaultRegistry registry(time);
  add(registry, fault(FaultType::kHttpError, 60));
  add(registry, fault(FaultType::kHang, 60));
  add(registry, fault(FaultType::kAbort, 60));
  EXPECT_EQ(registry.snapshot()->decide(FakeRequest("GET", "/"), time.SteadyNow(), random).action,
            Action::kAbort);
}

TEST(FaultSnapshot, MatchRulesLimitTheFault) {
  FakeClock time;
  ScriptedRandomSource random({0.0});
  FaultRegistry registry(time);
  FaultSpec spec = fault(FaultType::kHttpError, 60);
  spec.match.method = "POST";
  spec.match.pathPrefix = "/api/orders";
  add(registry, spec);
  auto snapshot = registry.snapshot();
  EXPECT_EQ(snapshot->decide(FakeRequest("POST", "/api/orders/7"), time.SteadyNow(), random).action,
            Action::kHttpError);
  EXPECT_EQ(snapshot->decide(FakeRequest("GET", "/api/orders/7"), time.SteadyNow(), random).action,
            Action::kForward);
  EXPECT_EQ(snapshot->decide(FakeRequest("POST", "/api/users"), time.SteadyNow(), random).action,
            Action::kForward);
}

TEST(FaultSnapshot, TrafficDropSelectsConnectionsByPercent) {
  FakeClock time;
  ScriptedRandomSource random({0.1, 0.9});
  FaultRegistry registry(time);
  add(registry, fault(FaultType::kTrafficDrop, 60, 50));
  auto snapshot = registry.snapshot();
  EXPECT_TRUE(snapshot->dropConnection(time.SteadyNow(), random));
  EXPECT_FALSE(snapshot->dropConnection(time.SteadyNow(), random));
  // trafficDrop never affects requests on open connections.
  EXPECT_EQ(snapshot->decide(FakeRequest("GET", "/"), time.SteadyNow(), random).action,
            Action::kForward);
}

}  // namespace
}  // namespace kubeheal::agent
