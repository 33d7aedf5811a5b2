#include "kubeheal/sample_http/service_runner.h"

#include <csignal>
#include <cstdio>
#include <fstream>
#include <iostream>

#include "kubeheal/common/logger.h"
#include "kubeheal/sample_http/http_server.h"
#include "kubeheal/sample_http/json_response.h"
#include "kubeheal/sample_http/url.h"

namespace kubeheal::samples {

namespace {

bool WritePortFile(const std::string& path, unsigned short port) {
  // Write then rename, so a reader never sees a half-written file.
  std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp);
    out << port << "\n";
    if (!out) return false;
  }
  return std::rename(tmp.c_str(), path.c_str()) == 0;
}

}  // namespace

int RunService(const ServiceDefinition& service, int argc, char** argv) {
  FlagSet flags(service.name);
  flags.Define("listen", service.default_listen, "HOST:PORT to serve on (port 0 picks a free one)");
  flags.Define("threads", "8", "request worker threads (bounds concurrent requests)");
  flags.Define("port-file", "", "if set, the bound port is written to this file once serving");
  if (service.define_flags) service.define_flags(flags);

  auto parsed = flags.Parse(std::vector<std::string>(argv + 1, argv + argc));
  if (flags.help_requested()) {
    std::cout << flags.Usage();
    return 0;
  }
  if (!parsed) {
    std::cerr << service.name << ": " << parsed.error().message << "\n";
    return 2;
  }
  if (!flags.positional().empty()) {
    std::cerr << service.name << ": unexpected argument '" << flags.positional().front() << "'\n";
    return 2;
  }
  auto listen = ParseHostPort(flags.Get("listen"));
  auto threads = flags.GetInt("threads", 1, 1024);
  if (!listen || !threads) {
    std::cerr << service.name << ": "
              << (!listen ? listen.error().message : threads.error().message) << "\n";
    return 2;
  }

  ServiceMetrics metrics(service.name);
  Router router;
  std::vector<std::shared_ptr<void>> keep_alive;
  ServiceSetup setup{flags, router, metrics, keep_alive};
  auto added = service.add_routes(setup);
  if (!added) {
    std::cerr << service.name << ": " << added.error().message << "\n";
    return 2;
  }
  router.Add("GET", "/health", [name = service.name](const HttpRequest&) {
    return JsonResponse(200, {{"status", "ok"}, {"service", name}});
  });
  router.Add("GET", "/metrics", [&metrics](const HttpRequest&) {
    return HttpResponse{200, "text/plain; version=0.0.4; charset=utf-8", metrics.Render()};
  });
  std::string docs = service.openapi();
  router.Add("GET", "/docs", [docs](const HttpRequest&) {
    return HttpResponse{200, "application/json", docs};
  });

  // Signals are taken synchronously by this thread; the server threads inherit the mask.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  HttpServer server(router, metrics, static_cast<int>(*threads));
  auto port = server.Start(*listen);
  if (!port) {
    Log().Error(port.error().message, {{"service", service.name}});
    return 1;
  }
  const nlohmann::json fields = {{"service", service.name}};
  Log().Info("listening on " + listen->host + ":" + std::to_string(*port), fields);
  if (!flags.Get("port-file").empty() && !WritePortFile(flags.Get("port-file"), *port)) {
    Log().Error("cannot write --port-file " + flags.Get("port-file"), fields);
    return 1;
  }
  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  Log().Info(std::string("received ") + strsignal(signal_number) + ", stopping", fields);
  server.Stop();
  Log().Info("stopped", fields);
  return 0;
}

}  // namespace kubeheal::samples
