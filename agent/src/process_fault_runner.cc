#include "kubeheal/agent/process_fault_runner.h"

#include <algorithm>
#include <cstring>

namespace kubeheal::agent {
namespace {

constexpr std::size_t kMiB = std::size_t{1024} * 1024;
constexpr std::size_t kLeakChunk = kMiB;
constexpr auto kBurnPeriod = std::chrono::milliseconds(100);

// Spins for `dutyPercent` of every period. Uses the real clock on purpose: burning CPU is the
// point, there is nothing to simulate.
// `stop` is the thread's own copy (std::thread copies its arguments), kept alive by it.
void burn(const std::shared_ptr<std::atomic<bool>>& stop, int dutyPercent) {
  volatile std::uint64_t sink = 0;
  while (!stop->load(std::memory_order_relaxed)) {
    const auto periodStart = std::chrono::steady_clock::now();
    const auto busyUntil = periodStart + kBurnPeriod * dutyPercent / 100;
    while (std::chrono::steady_clock::now() < busyUntil) {
      for (int i = 0; i < 1000; ++i) sink = sink + static_cast<std::uint64_t>(i);
    }
    const auto periodEnd = periodStart + kBurnPeriod;
    if (dutyPercent < 100) std::this_thread::sleep_until(periodEnd);
  }
}

}  // namespace

ProcessFaultRunner::ProcessFaultRunner(FaultRegistry& faults, AgentMetrics& metrics,
                                       const Clock& time, ProcessExit& exit)
    : faults_(faults), metrics_(metrics), time_(time), exit_(exit) {}

ProcessFaultRunner::~ProcessFaultRunner() {
  stop();
  stopBurners();
}

void ProcessFaultRunner::start() {
  thread_ = std::thread([this] {
    std::unique_lock lock(mutex_);
    while (!stopping_) {
      lock.unlock();
      tick();
      lock.lock();
      wake_.wait_for(lock, kTick, [this] { return stopping_; });
    }
  });
}

void ProcessFaultRunner::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

std::size_t ProcessFaultRunner::leakedBytes() const { return leakedBytes_.load(); }

void ProcessFaultRunner::tick() {
  faults_.expire();
  const auto now = time_.SteadyNow();
  const auto active = faults_.list();

  BurnPlan plan;
  std::map<std::shared_ptr<const ActiveFault>, bool> seen;
  std::map<std::string, bool> seenIds;
  for (const auto& fault : active) {
    const FaultSpec& spec = fault->spec;
    if (isDataPathFault(spec.type)) continue;
    seen[fault] = true;
    seenIds[spec.id] = true;
    if (!counted_.count(fault)) {
      counted_[fault] = true;
      metrics_.countFaultInjected(spec.type);
      fault->injected.store(1);
    }
    switch (spec.type) {
      case FaultType::kCpuBurn:
        plan.threads += static_cast<unsigned>(spec.params.threads);
        plan.dutyPercent = std::max(plan.dutyPercent, spec.params.dutyPercent);
        break;
      case FaultType::kMemoryLeak: {
        auto [entry, inserted] = leaks_.try_emplace(spec.id);
        Leak& leak = entry->second;
        if (inserted) leak.startedAt = now;
        const double elapsed = std::chrono::duration<double>(now - leak.startedAt).count();
        const double wanted = std::min<double>(static_cast<double>(spec.params.capMb) * kMiB,
                                               elapsed * spec.params.mbPerSecond * kMiB);
        while (static_cast<double>(leak.bytes + kLeakChunk) <= wanted) {
          auto chunk = std::make_unique<char[]>(kLeakChunk);
          std::memset(chunk.get(), 0xA5, kLeakChunk);  // touch it, so it counts in RSS
          leak.chunks.push_back(std::move(chunk));
          leak.bytes += kLeakChunk;
        }
        break;
      }
      case FaultType::kCrash: {
        const auto crashAt = fault->expiresAt -
                             std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                 std::chrono::duration<double>(spec.ttlSeconds)) +
                             std::chrono::milliseconds(spec.params.crashDelayMs);
        if (now >= crashAt) exit_.exitNow(spec.params.exitCode);
        break;
      }
      default:
        break;
    }
  }
  // Ended faults give back what they held.
  std::erase_if(leaks_, [&](const auto& entry) { return !seenIds.count(entry.first); });
  std::erase_if(counted_, [&](const auto& entry) { return !seen.count(entry.first); });
  std::size_t leaked = 0;
  for (const auto& [fault, leak] : leaks_) leaked += leak.bytes;
  leakedBytes_.store(leaked);
  reconcileBurn(plan);
}

void ProcessFaultRunner::reconcileBurn(const BurnPlan& plan) {
  if (plan == burnPlan_) return;
  stopBurners();
  burnPlan_ = plan;
  if (plan.threads == 0) return;
  burnStop_ = std::make_shared<std::atomic<bool>>(false);
  for (unsigned i = 0; i < plan.threads; ++i) {
    burners_.emplace_back(burn, burnStop_, plan.dutyPercent);
  }
}

void ProcessFaultRunner::stopBurners() {
  if (burnStop_) burnStop_->store(true);
  for (auto& thread : burners_) {
    if (thread.joinable()) thread.join();
  }
  burners_.clear();
  burnPlan_ = BurnPlan{};
}

}  // namespace kubeheal::agent
