#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "kubeheal/agent/agent_metrics.h"
#include "kubeheal/agent/fault_registry.h"
#include "kubeheal/agent/process_exit.h"
#include "kubeheal/common/clock.h"

namespace kubeheal::agent {

// Carries out process faults (cpuBurn, memoryLeak, crash) and runs the dead-man's switch: every
// tick it expires faults and reconciles what runs with what is active, so a cleared or expired
// fault stops within one tick. tick() runs on the runner's own thread (or a test's).
class ProcessFaultRunner {
 public:
  static constexpr std::chrono::milliseconds kTick{50};

  ProcessFaultRunner(FaultRegistry& faults, AgentMetrics& metrics, const Clock& time,
                     ProcessExit& exit);
  ~ProcessFaultRunner();

  void start();
  void stop();
  void tick();
  std::size_t leakedBytes() const;
  unsigned burnThreads() const { return static_cast<unsigned>(burners_.size()); }

 private:
  struct Leak {
    std::chrono::steady_clock::time_point startedAt;
    std::vector<std::unique_ptr<char[]>> chunks;
    std::size_t bytes = 0;
  };
  struct BurnPlan {
    unsigned threads = 0;
    int dutyPercent = 0;
    bool operator==(const BurnPlan&) const = default;
  };

  void reconcileBurn(const BurnPlan& plan);
  void stopBurners();

  FaultRegistry& faults_;
  AgentMetrics& metrics_;
  const Clock& time_;
  ProcessExit& exit_;
  // By fault id, not by object: re-pushing a fault with the same id (the operator renews its
  // faults every few seconds) replaces the object but must keep leaking from where it was.
  std::map<std::string, Leak> leaks_;                           // runner thread only
  std::map<std::shared_ptr<const ActiveFault>, bool> counted_;  // runner thread only
  BurnPlan burnPlan_;                                           // runner thread only
  std::vector<std::thread> burners_;                            // runner thread only
  std::shared_ptr<std::atomic<bool>> burnStop_;
  std::atomic<std::size_t> leakedBytes_{0};
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;  // guarded by mutex_
  std::thread thread_;
};

}  // namespace kubeheal::agent
