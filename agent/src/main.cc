// kubeheal-agent: the sidecar. Wires the parts together, then waits for SIGTERM/SIGINT and
// drains. See agent/README.md and agent/API.md.
#include <signal.h>

#include <cstdio>
#include <cstdlib>

#include "kubeheal/agent/admin_api.h"
#include "kubeheal/agent/admin_server.h"
#include "kubeheal/agent/agent_config_parser.h"
#include "kubeheal/agent/agent_metrics.h"
#include "kubeheal/agent/file_token_verifier.h"
#include "kubeheal/agent/metrics_exporter.h"
#include "kubeheal/agent/proc_fs_stats_reader.h"
#include "kubeheal/agent/process_fault_runner.h"
#include "kubeheal/agent/proxy_server.h"
#include "kubeheal/common/clock.h"
#include "kubeheal/common/random.h"

namespace {

using namespace kubeheal::agent;

constexpr const char* kVersion = "0.1.0";

class RealProcessExit final : public ProcessExit {
 public:
  void exitNow(int code) override {
    std::fprintf(stderr, "level=warn msg=\"crash fault: exiting\" code=%d\n", code);
    std::fflush(stderr);
    std::_Exit(code);
  }
};

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  auto parsed =
      AgentConfigParser::parse(args, [](const std::string& name) -> std::optional<std::string> {
        // Read once at start-up, before any thread exists.
        // NOLINTNEXTLINE(concurrency-mt-unsafe)
        const char* value = std::getenv(name.c_str());
        if (!value) return std::nullopt;
        return std::string(value);
      });
  if (!parsed) {
    // Error::ToString() of an invalidField() error: "--threads: must be ...".
    std::fprintf(stderr, "kubeheal-agent: %s\n%s", parsed.error().ToString().c_str(),
                 AgentConfigParser::usage().c_str());
    return 2;
  }
  if (auto* help = std::get_if<AgentConfigParser::Help>(&*parsed)) {
    std::fputs(help->text.c_str(), stdout);
    return 0;
  }
  const AgentConfig config = std::get<AgentConfig>(*parsed);

  // Signals are taken synchronously by this thread (sigwait); every other thread inherits the
  // blocked mask. A peer closing a socket must never kill the process.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  ::signal(SIGPIPE, SIG_IGN);

  const std::shared_ptr<kubeheal::Clock> clock = kubeheal::RealClock();
  const kubeheal::Clock& time = *clock;
  kubeheal::ThreadLocalRandomSource random;
  FaultRegistry faults(time);
  CircuitConfig circuitConfig;
  circuitConfig.mode = config.circuitMode;
  CircuitBreaker circuit(time, circuitConfig);
  Throttle throttle(time);
  AgentMetrics metrics(config.threads);
  ProcFsStatsReader processStats;
  MetricsExporter exporter(metrics, faults, circuit, throttle, processStats);
  FileTokenVerifier tokens(config.tokenFile);
  AgentInfo info;
  info.version = kVersion;
  info.upstream = config.upstreamHost + ":" + std::to_string(config.upstreamPort);
  AdminApi api(faults, circuit, throttle, exporter, tokens, time, info);
  AdminServer admin(api, config.adminHost, config.adminPort);
  ProxyServer proxy(config, faults, circuit, throttle, metrics, time, random);
  RealProcessExit processExit;
  ProcessFaultRunner runner(faults, metrics, time, processExit);

  if (auto error = proxy.bind()) {
    std::fprintf(stderr, "kubeheal-agent: %s\n", error->c_str());
    return 1;
  }
  if (auto error = admin.bind()) {
    std::fprintf(stderr, "kubeheal-agent: %s\n", error->c_str());
    return 1;
  }
  if (config.tokenFile.empty()) {
    std::fprintf(stderr,
                 "level=warn msg=\"no --token-file: the /v1 admin API refuses all calls\"\n");
  }
  runner.start();
  proxy.start();
  admin.start();
  info.ready.store(true);
  // One parseable line, so tests and scripts that asked for port 0 learn the real ports.
  std::printf("kubeheal-agent ready listen=%s:%u admin=%s:%u upstream=%s threads=%u\n",
              config.listenHost.c_str(), proxy.port(), config.adminHost.c_str(), admin.port(),
              info.upstream.c_str(), config.threads);
  std::fflush(stdout);

  int received = 0;
  sigwait(&signals, &received);
  if (!config.quiet) {
    std::fprintf(stderr, "level=info msg=\"signal %d: draining\" open_connections=%lld\n", received,
                 static_cast<long long>(proxy.openConnections()));
  }
  info.draining.store(true);
  proxy.beginDrain();
  const auto deadline = time.SteadyNow() + config.drainTimeout;
  while (proxy.openConnections() > 0 && time.SteadyNow() < deadline) {
    clock->SleepFor(std::chrono::milliseconds(20));
  }
  const auto left = proxy.openConnections();
  runner.stop();
  proxy.stop();
  admin.stop();
  if (!config.quiet || left > 0) {
    std::fprintf(stderr, "level=info msg=\"drained, exiting\" connections_cut=%lld\n",
                 static_cast<long long>(left));
  }
  return 0;
}
