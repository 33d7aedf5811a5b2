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
#include "kubeheal/common/error.h"
#include "kubeheal/common/logger.h"
#include "kubeheal/common/random.h"

namespace {

using namespace kubeheal::agent;
using kubeheal::Log;

constexpr const char* kVersion = "0.1.0";

class RealProcessExit final : public ProcessExit {
 public:
  void exitNow(int code) override {
    Log().Warn("crash fault: exiting", {{"code", code}});
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
    const kubeheal::Error& error = parsed.error();
    Log().Error("bad flag", {{"flag", error.field}, {"error", error.message}});
    std::fputs(AgentConfigParser::usage().c_str(), stderr);
    return 2;
  }
  if (auto* help = std::get_if<AgentConfigParser::Help>(&*parsed)) {
    std::fputs(help->text.c_str(), stdout);
    return 0;
  }
  const AgentConfig config = std::get<AgentConfig>(*parsed);
  // --quiet keeps warnings and errors only.
  kubeheal::Logger::Get().Configure(
      config.quiet ? kubeheal::LogLevel::kWarn : kubeheal::LogLevel::kInfo,
      kubeheal::LogFormat::kText);

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
    Log().Error("cannot start the data path", {{"listen", config.listenHost}, {"error", *error}});
    return 1;
  }
  if (auto error = admin.bind()) {
    Log().Error("cannot start the admin API", {{"admin", config.adminHost}, {"error", *error}});
    return 1;
  }
  if (config.tokenFile.empty()) {
    Log().Warn("no --token-file: the /v1 admin API refuses all calls");
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
  Log().Info("draining", {{"signal", received}, {"open_connections", proxy.openConnections()}});
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
  // Cutting connections is worth a line even with --quiet.
  Log().Log(left > 0 ? kubeheal::LogLevel::kWarn : kubeheal::LogLevel::kInfo, "drained, exiting",
            {{"connections_cut", left}});
  return 0;
}
