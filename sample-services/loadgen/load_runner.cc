#include "load_runner.h"

#include <atomic>
#include <thread>
#include <vector>

#include "send_schedule.h"

namespace kubeheal::samples {

namespace {

using SteadyTime = std::chrono::steady_clock::time_point;

std::int64_t Micros(Clock::Duration d) {
  return std::chrono::duration_cast<std::chrono::microseconds>(d).count();
}

Clock::Duration Seconds(double s) {
  return std::chrono::duration_cast<Clock::Duration>(std::chrono::duration<double>(s));
}

void RaiseTo(std::atomic<std::int64_t>& value, std::int64_t candidate) {
  std::int64_t seen = value.load();
  while (candidate > seen && !value.compare_exchange_weak(seen, candidate)) {
  }
}

}  // namespace

LoadRunner::LoadRunner(LoadConfig config, const EndpointMix& mix, ClientFactory make_client,
                       Clock& clock, RandomSource& random, ProgressSink progress)
    : config_(config),
      mix_(mix),
      make_client_(std::move(make_client)),
      clock_(clock),
      random_(random),
      progress_(std::move(progress)) {}

RunSummary LoadRunner::Run(const std::atomic<bool>* interrupted) {
  SendSchedule schedule(config_.profile, config_.duration, config_.max_requests);
  RunStats stats;
  // Connections open before the clock starts, so the first second is not spent connecting.
  const SteadyTime start = clock_.SteadyNow() + std::chrono::milliseconds(20);
  const SteadyTime send_deadline = start + Seconds(config_.duration);
  const SteadyTime hard_deadline = send_deadline + config_.timeout;
  std::atomic<int> running{config_.concurrency};
  std::atomic<bool> stop{false};
  std::atomic<std::int64_t> last_answer_us{0};
  std::atomic<std::int64_t> last_send_us{0};

  auto worker = [&] {
    std::unique_ptr<HttpClient> client = make_client_();
    while (!stop.load() && !(interrupted && interrupted->load())) {
      std::optional<double> at = schedule.Next();
      if (!at) break;
      SteadyTime intended = start + Seconds(*at);
      if (!config_.profile.open_loop()) {
        SteadyTime now = clock_.SteadyNow();
        if (now >= send_deadline) break;
        intended = now < start ? start : now;
      }
      // Behind schedule past the hard bound: the rest is counted as not sent.
      if (clock_.SteadyNow() >= hard_deadline) {
        stop.store(true);
        break;
      }
      ClientRequest request = mix_.Build(random_);
      request.timeout = config_.timeout;
      clock_.SleepUntil(intended);
      RaiseTo(last_send_us, Micros(clock_.SteadyNow() - start));
      Result<ClientResponse> response = client->Send(request);
      SteadyTime done = clock_.SteadyNow();
      std::int64_t latency = Micros(done - intended);
      if (response) {
        stats.RecordResponse(response->status, latency);
      } else {
        stats.RecordError(ErrorReason(response.error().message), latency);
      }
      RaiseTo(last_answer_us, Micros(done - start));
    }
    running.fetch_sub(1);
  };

  std::vector<std::thread> workers;
  for (int i = 0; i < config_.concurrency; ++i) workers.emplace_back(worker);

  for (int second = 1; running.load() > 0; ++second) {
    SteadyTime tick = start + std::chrono::seconds(second);
    while (running.load() > 0 && clock_.SteadyNow() < tick) {
      clock_.SleepFor(std::chrono::milliseconds(20));
    }
    if (clock_.SteadyNow() < tick) break;  // finished mid-second: the summary follows
    if (progress_) {
      ProgressLine line;
      line.elapsed = second;
      line.target_rate = config_.profile.RateAt(second - 0.5);
      line.window = stats.TakeWindow();
      line.issued = schedule.issued();
      progress_(line);
    }
  }
  for (auto& t : workers) t.join();

  RunSummary summary;
  summary.config = config_;
  summary.totals = stats.Snapshot();
  summary.elapsed = static_cast<double>(last_answer_us.load()) / 1e6;
  summary.last_send = static_cast<double>(last_send_us.load()) / 1e6;
  if (config_.profile.open_loop()) {
    summary.expected_requests = config_.profile.ExpectedRequests(config_.duration);
    // Times a stopped worker took but never sent, plus those never taken.
    std::uint64_t sent = summary.totals.responses + summary.totals.errors;
    // Drain what the profile still owed (not after an interrupt: the user cut the run short).
    if (!(interrupted && interrupted->load())) {
      while (schedule.Next()) {
      }
    }
    summary.not_sent = schedule.issued() - sent;
    summary.issued = sent;
  } else {
    summary.issued = summary.totals.responses + summary.totals.errors;
  }
  return summary;
}

}  // namespace kubeheal::samples
