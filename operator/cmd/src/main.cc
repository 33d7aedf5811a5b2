// kubeheal-operator: heals workloads from their Prometheus metrics and runs fault drills.
#include <csignal>
#include <cstdlib>
#include <iostream>
#include <thread>

#include "kubeheal/common/logger.h"
#include "kubeheal/kube/cancel_token.h"
#include "operator_app.h"
#include "operator_flags.h"

int main(int argc, char** argv) {
  using namespace kubeheal;
  std::vector<std::string> args(argv + 1, argv + argc);
  auto flags = cmd::ParseOperatorFlags(args, [](const std::string& name) {
    // Flags are read before any thread starts.
    // NOLINTNEXTLINE(concurrency-mt-unsafe)
    const char* v = std::getenv(name.c_str());
    return std::string(v ? v : "");
  });
  if (!flags.ok()) {
    const bool help = flags.error().code == "Help";
    (help ? std::cout : std::cerr) << flags.error().message << "\n";
    return help ? 0 : 2;
  }
  LogLevel level;
  LogFormat format;
  if (!Logger::ParseLevel(flags->log_level, &level) ||
      !Logger::ParseFormat(flags->log_format, &format)) {
    std::cerr << "--log-level must be debug|info|warn|error and --log-format text|json\n";
    return 2;
  }
  Log().Configure(level, format);

  // SIGTERM/SIGINT are taken by one thread with sigwait, so no handler runs in signal context.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  cmd::OperatorApp app(*flags, RealClock());
  if (auto s = app.Init(); !s.ok()) {
    Log().Error("cannot start", {{"error", s.error().ToString()}});
    return 1;
  }
  kube::CancelToken stop;
  std::thread signal_waiter([&] {
    int sig = 0;
    sigwait(&signals, &sig);
    if (sig != 0 && !stop.cancelled()) {
      Log().Info("shutting down", {{"signal", sig == SIGTERM ? "SIGTERM" : "SIGINT"}});
    }
    stop.Cancel();
  });
  Log().Info("kubeheal-operator starting", {{"prometheus", flags->prometheus_url},
                                            {"leader_elect", flags->leader_elect},
                                            {"metrics", flags->metrics_addr},
                                            {"health", flags->health_addr}});
  const int code = app.Run(stop);
  // Wake the signal thread if Run ended on its own (leadership lost): it waits in sigwait for
  // SIGTERM, which every thread blocks, so this ends its wait instead of terminating anything.
  // NOLINTNEXTLINE(bugprone-bad-signal-to-kill-thread)
  pthread_kill(signal_waiter.native_handle(), SIGTERM);
  signal_waiter.join();
  return code;
}
