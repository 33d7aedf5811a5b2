// kubeheal-loadgen: open-loop traffic generator for the sample services, and a health check
// of all of them.
//   kubeheal-loadgen [run] --target URL --mode steady|burst|spike|flood|sustained ...
//   kubeheal-loadgen health --services orders=URL,payments=URL,users=URL
#include <atomic>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <random>

#include "health_check.h"
#include "kubeheal/sample_http/flag_set.h"
#include "kubeheal/sample_http/http_client_pool.h"
#include "kubeheal/sample_http/http_connection.h"
#include "load_runner.h"
#include "run_report.h"

using kubeheal::Error;
using kubeheal::Result;
using namespace kubeheal::samples;

namespace {

// Set by SIGINT/SIGTERM: the run stops sending and still prints its summary.
std::atomic<bool> g_interrupted{false};

void OnInterrupt(int) { g_interrupted.store(true); }

constexpr const char* kDefaultServices =
    "orders=http://orders:8080,payments=http://payments:8080,users=http://users:8080";

int Fail(const std::string& message) {
  std::cerr << "kubeheal-loadgen: " << message << "\n";
  return 2;
}

int Health(const std::vector<std::string>& args) {
  FlagSet flags("kubeheal-loadgen health");
  flags.Define("services", kDefaultServices, "NAME=URL,... of the services to check");
  flags.Define("timeout", "2s", "time allowed for each /health answer");
  auto parsed = flags.Parse(args);
  if (flags.help_requested()) {
    std::cout << flags.Usage();
    return 0;
  }
  if (!parsed) return Fail(parsed.error().message);
  auto targets = ParseServiceTargets(flags.Get("services"));
  if (!targets) return Fail(targets.error().message);
  auto timeout = flags.GetSeconds("timeout");
  if (!timeout) return Fail(timeout.error().message);
  auto results = CheckHealth(
      *targets,
      [](const HttpUrl& url) { return std::make_unique<HttpConnection>(url.host, url.port); },
      std::chrono::milliseconds(static_cast<long long>(*timeout * 1000)));
  bool all = true;
  for (const HealthResult& r : results) {
    std::printf("%-10s %-9s %-40s %s\n", r.name.c_str(), r.healthy ? "healthy" : "UNHEALTHY",
                r.url.c_str(), r.detail.c_str());
    all = all && r.healthy;
  }
  return all ? 0 : 1;
}

void DefineRunFlags(FlagSet& flags) {
  flags.Define("target", "http://127.0.0.1:8080", "base URL of the service under load");
  flags.Define("mode", "steady", "steady, burst, spike, flood or sustained");
  flags.Define("rate", "", "requests per second (default 50; sustained 200; unused by flood)");
  flags.Define("duration", "", "how long to send (default 30s; sustained 10m; at most 24h)");
  flags.Define("concurrency", "32", "connections, each one worker (bounds requests in flight)");
  flags.Define("mix", "GET /health=1",
               "weighted endpoints, e.g. 'GET /users/{id}=5,POST /orders=1'");
  flags.Define("id-range", "100", "{id} in --mix paths is drawn from 1..N");
  flags.Define("timeout", "5s", "per-request timeout");
  flags.Define("max-requests", "10000000", "stop after this many requests");
  flags.Define("peak-rate", "", "burst/spike rate (default 5x --rate for burst, 10x for spike)");
  flags.Define("burst-every", "10s", "burst: period of the bursts");
  flags.Define("peak-length", "", "burst/spike: how long each peak lasts (default 2s / 5s)");
  flags.Define("spike-at", "", "spike: when the surge starts (default a third of --duration)");
  flags.Define("output", "text", "summary format: text or json (on stdout)");
  flags.Define("seed", "0", "random seed for the endpoint mix (0 = random)");
  flags.DefineBool("quiet", "no progress line on stderr");
}

Result<LoadConfig> ConfigFrom(const FlagSet& flags) {
  LoadConfig config;
  auto mode = ParseMode(flags.Get("mode"));
  if (!mode) return mode.error();
  RateProfile& p = config.profile;
  p.mode = *mode;
  bool sustained = p.mode == RateProfile::Mode::kSustained;
  auto or_default = [&](const std::string& name, const std::string& fallback) {
    std::string v = flags.Get(name);
    return v.empty() ? fallback : v;
  };
  FlagSet resolved("resolved");  // the mode's defaults filled in, parsed with the same rules
  resolved.Define("rate", or_default("rate", sustained ? "200" : "50"), "");
  resolved.Define("duration", or_default("duration", sustained ? "10m" : "30s"), "");
  auto rate = resolved.GetDouble("rate", 0.001, 1e6);
  if (!rate) return rate.error();
  auto duration = resolved.GetSeconds("duration");
  if (!duration) return duration.error();
  if (!(*duration > 0 && *duration <= 86400))
    return Error::Invalid("--duration must be in (0, 24h]");
  p.rate = *rate;
  config.duration = *duration;
  bool burst = p.mode == RateProfile::Mode::kBurst;
  resolved.Define("peak-rate", or_default("peak-rate", std::to_string(p.rate * (burst ? 5 : 10))),
                  "");
  resolved.Define("peak-length", or_default("peak-length", burst ? "2s" : "5s"), "");
  resolved.Define("spike-at", or_default("spike-at", std::to_string(config.duration / 3)), "");
  auto peak = resolved.GetDouble("peak-rate", 0.001, 1e6);
  auto length = resolved.GetSeconds("peak-length");
  auto spike_at = resolved.GetSeconds("spike-at");
  auto every = flags.GetSeconds("burst-every");
  for (auto* r : {&length, &spike_at, &every}) {
    if (!*r) return r->error();
  }
  if (!peak) return peak.error();
  p.peak_rate = *peak;
  p.peak_length = *length;
  p.spike_at = *spike_at;
  p.burst_every = *every;
  if (auto valid = p.Validate(); !valid) return valid.error();
  auto concurrency = flags.GetInt("concurrency", 1, 1024);
  if (!concurrency) return concurrency.error();
  config.concurrency = static_cast<int>(*concurrency);
  auto max_requests = flags.GetInt("max-requests", 1, 1000000000);
  if (!max_requests) return max_requests.error();
  config.max_requests = static_cast<std::uint64_t>(*max_requests);
  auto timeout = flags.GetSeconds("timeout");
  if (!timeout) return timeout.error();
  if (!(*timeout >= 0.001 && *timeout <= 600))
    return Error::Invalid("--timeout must be in [1ms, 10m]");
  config.timeout = std::chrono::milliseconds(static_cast<long long>(*timeout * 1000));
  return config;
}

int Run(const std::vector<std::string>& args) {
  FlagSet flags("kubeheal-loadgen run");
  DefineRunFlags(flags);
  auto parsed = flags.Parse(args);
  if (flags.help_requested()) {
    std::cout << flags.Usage();
    return 0;
  }
  if (!parsed) return Fail(parsed.error().message);
  if (!flags.positional().empty())
    return Fail("unexpected argument '" + flags.positional()[0] + "'");
  auto config = ConfigFrom(flags);
  if (!config) return Fail(config.error().message);
  auto url = ParseHttpUrl(flags.Get("target"));
  if (!url) return Fail("--target: " + url.error().message);
  auto id_range = flags.GetInt("id-range", 1, 1000000000);
  if (!id_range) return Fail(id_range.error().message);
  auto mix = EndpointMix::Parse(flags.Get("mix"), *id_range);
  if (!mix) return Fail(mix.error().message);
  std::string output = flags.Get("output");
  if (output != "text" && output != "json") return Fail("--output must be text or json");
  auto seed = flags.GetInt("seed", 0, 1L << 62);
  if (!seed) return Fail(seed.error().message);

  std::signal(SIGPIPE, SIG_IGN);
  std::shared_ptr<kubeheal::Clock> clock = kubeheal::RealClock();
  kubeheal::SeededRandomSource random(*seed ? static_cast<std::uint64_t>(*seed)
                                            : std::random_device{}());
  HttpUrl base = *url;
  auto make_client = [base]() -> std::unique_ptr<HttpClient> {
    return std::make_unique<HttpClientPool>(base, 1);
  };
  bool quiet = flags.GetBool("quiet");
  auto progress = [quiet](const ProgressLine& line) {
    if (!quiet) std::cerr << FormatProgress(line) << std::endl;
  };
  LoadRunner runner(*config, *mix, make_client, *clock, random, progress);
  std::signal(SIGINT, OnInterrupt);
  std::signal(SIGTERM, OnInterrupt);
  RunSummary summary = runner.Run(&g_interrupted);
  if (output == "json") {
    std::cout << SummaryJson(summary, flags.Get("target")).dump(2) << std::endl;
  } else {
    std::cout << FormatSummaryText(summary, flags.Get("target"));
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (!args.empty() && args[0] == "health") return Health({args.begin() + 1, args.end()});
  if (!args.empty() && args[0] == "run") return Run({args.begin() + 1, args.end()});
  if (!args.empty() && args[0] != "--help" && args[0] != "-h" && args[0].rfind("--", 0) != 0) {
    return Fail("unknown command '" + args[0] + "' (run, health)");
  }
  return Run(args);
}
