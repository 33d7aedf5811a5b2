#include "kubeheal/agent/process_fault_runner.h"

#include <gtest/gtest.h>

#include "kubeheal/common/fake_clock.h"

namespace kubeheal::agent {
namespace {

using namespace std::chrono_literals;

class RecordingExit final : public ProcessExit {
 public:
  void exitNow(int code) override { codes.push_back(code); }
  std::vector<int> codes;
};

FaultSpec processFault(FaultType type, std::string id, double ttlSeconds) {
  FaultSpec spec;
  spec.id = std::move(id);
  spec.type = type;
  spec.ttlSeconds = ttlSeconds;
  return spec;
}

FaultSpec memoryLeak(std::string id, double mbPerSecond, std::int64_t capMb, double ttlSeconds) {
  FaultSpec spec = processFault(FaultType::kMemoryLeak, std::move(id), ttlSeconds);
  spec.params.mbPerSecond = mbPerSecond;
  spec.params.capMb = capMb;
  return spec;
}

FaultSpec crashAfter(std::string id, std::int64_t delayMs, double ttlSeconds) {
  FaultSpec spec = processFault(FaultType::kCrash, std::move(id), ttlSeconds);
  spec.params.crashDelayMs = delayMs;
  return spec;
}

class ProcessFaultRunnerTest : public ::testing::Test {
 protected:
  ProcessFaultRunnerTest()
      : faults_(time_), metrics_(1), runner_(faults_, metrics_, time_, exit_) {}

  void add(FaultSpec spec) { ASSERT_TRUE(faults_.upsert(spec).ok()); }

  FakeClock time_;
  FaultRegistry faults_;
  AgentMetrics metrics_;
  RecordingExit exit_;
  ProcessFaultRunner runner_;
};

TEST_F(ProcessFaultRunnerTest, MemoryLeakGrowsAtRateUpToCapAndIsFreedAtExpiry) {
  add(memoryLeak("", 4, 10, 20));
  runner_.tick();
  EXPECT_EQ(runner_.leakedBytes(), 0u);
  time_.Advance(1s);
  runner_.tick();
  EXPECT_EQ(runner_.leakedBytes(), 4u << 20);
  time_.Advance(10s);
  runner_.tick();
  EXPECT_EQ(runner_.leakedBytes(), 10u << 20);  // capped
  EXPECT_EQ(metrics_.faultsInjected(FaultType::kMemoryLeak), 1u);
  time_.Advance(9s);
  runner_.tick();  // expired: the dead-man's switch frees it
  EXPECT_EQ(runner_.leakedBytes(), 0u);
  EXPECT_TRUE(faults_.list().empty());
}

TEST_F(ProcessFaultRunnerTest, ClearFreesTheLeakAtOnce) {
  add(memoryLeak("leak", 8, 100, 600));
  runner_.tick();
  time_.Advance(1s);
  runner_.tick();
  EXPECT_GT(runner_.leakedBytes(), 0u);
  faults_.clear("leak");
  runner_.tick();
  EXPECT_EQ(runner_.leakedBytes(), 0u);
}

// The operator re-pushes every fault (same id) to refresh its expiry; a renewed leak must keep
// what it holds and keep growing, else it never gets past a few seconds' worth of memory.
TEST_F(ProcessFaultRunnerTest, RenewedLeakKeepsGrowing) {
  const FaultSpec leak = memoryLeak("drill-leak", 2, 100, 30);
  add(leak);
  runner_.tick();
  for (int i = 0; i < 3; ++i) {
    time_.Advance(5s);
    runner_.tick();
    add(leak);  // renewal: replaced with the same id
    runner_.tick();
  }
  EXPECT_EQ(runner_.leakedBytes(), 30u << 20);
}

TEST_F(ProcessFaultRunnerTest, CrashExitsWithItsCodeAfterTheDelay) {
  FaultSpec crash = crashAfter("", 500, 60);
  crash.params.exitCode = 42;
  add(crash);
  runner_.tick();
  time_.Advance(499ms);
  runner_.tick();
  EXPECT_TRUE(exit_.codes.empty());
  time_.Advance(1ms);
  runner_.tick();
  ASSERT_EQ(exit_.codes.size(), 1u);
  EXPECT_EQ(exit_.codes[0], 42);
}

TEST_F(ProcessFaultRunnerTest, ClearedCrashNeverFires) {
  add(crashAfter("c", 1000, 60));
  runner_.tick();
  faults_.clear("c");
  time_.Advance(2s);
  runner_.tick();
  EXPECT_TRUE(exit_.codes.empty());
}

TEST_F(ProcessFaultRunnerTest, CpuBurnStartsAndStopsThreads) {
  FaultSpec burn = processFault(FaultType::kCpuBurn, "burn", 60);
  burn.params.threads = 2;
  burn.params.dutyPercent = 1;  // barely any CPU in a unit test
  add(burn);
  runner_.tick();
  EXPECT_EQ(runner_.burnThreads(), 2u);
  time_.Advance(60s);
  runner_.tick();
  EXPECT_EQ(runner_.burnThreads(), 0u);
}

}  // namespace
}  // namespace kubeheal::agent
