#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "endpoint_mix.h"
#include "kubeheal/common/clock.h"
#include "kubeheal/common/random.h"
#include "kubeheal/sample_http/http_client.h"
#include "rate_profile.h"
#include "run_stats.h"

namespace kubeheal::samples {

struct LoadConfig {
  RateProfile profile;
  double duration = 30;  // seconds of sending
  std::uint64_t max_requests = 10000000;
  int concurrency = 32;                     // connections, one worker thread each
  std::chrono::milliseconds timeout{5000};  // per request
};

struct ProgressLine {
  double elapsed = 0;        // seconds since the start
  double target_rate = 0;    // what the profile asks for now (0 in flood)
  RunStats::Window window;   // the last second
  std::uint64_t issued = 0;  // send times handed out so far
};

struct RunSummary {
  LoadConfig config;
  double elapsed = 0;            // start to the last answer, seconds
  double last_send = 0;          // start to the last request sent, seconds
  double expected_requests = 0;  // what the profile intended (open loop)
  std::uint64_t issued = 0;
  std::uint64_t not_sent = 0;  // intended but abandoned at the run's time bound
  RunStats::Totals totals;
  // Requests put on the wire per second over the sending window (what the generator
  // controls); achieved_rate() also includes the wait for the last answers.
  double send_rate() const {
    double window = std::max(config.duration, last_send);
    return window > 0 ? static_cast<double>(totals.responses + totals.errors) / window : 0;
  }
  double achieved_rate() const {
    return elapsed > 0 ? static_cast<double>(totals.responses + totals.errors) / elapsed : 0;
  }
};

// Runs one load test: `concurrency` workers each own a connection (from `make_client`),
// take intended send times from a SendSchedule, wait for them, send, and record latency from
// the intended time. The calling thread reports progress once a second. The run ends when
// the schedule is exhausted, or at duration + timeout at the latest.
class LoadRunner {
 public:
  using ClientFactory = std::function<std::unique_ptr<HttpClient>()>;
  using ProgressSink = std::function<void(const ProgressLine&)>;

  LoadRunner(LoadConfig config, const EndpointMix& mix, ClientFactory make_client, Clock& clock,
             RandomSource& random, ProgressSink progress);

  // `interrupted` (optional, set from a signal handler) ends the run early; the summary still
  // covers what was sent.
  RunSummary Run(const std::atomic<bool>* interrupted = nullptr);

 private:
  LoadConfig config_;
  const EndpointMix& mix_;
  ClientFactory make_client_;
  Clock& clock_;
  RandomSource& random_;
  ProgressSink progress_;
};

}  // namespace kubeheal::samples
