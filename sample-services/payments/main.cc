// payments: authorises payments with variable latency and an occasional slow dependency.
#include <random>

#include "kubeheal/sample_http/service_runner.h"
#include "payments_api.h"

using kubeheal::Error;
using kubeheal::Result;
using namespace kubeheal::samples;

namespace {

void DefineFlags(FlagSet& flags) {
  flags.Define("latency", "5ms", "median processing time of an authorisation");
  flags.Define("latency-spread", "0.5", "sigma of the log-normal latency (0 = constant)");
  flags.Define("slow-percent", "1", "percent of authorisations that wait on a slow dependency");
  flags.Define("slow-latency", "200ms", "extra time of such a slow call");
  flags.Define("extra-latency", "0ms", "fixed delay added to every authorisation (a fault)");
  flags.DefineBool("enable-test-knobs", "serve PUT /admin/slowdown to change the extra delay");
}

Result<bool> AddRoutes(ServiceSetup& setup) {
  const FlagSet& flags = setup.flags;
  auto median = flags.GetSeconds("latency");
  auto spread = flags.GetDouble("latency-spread", 0, 3);
  auto slow_percent = flags.GetDouble("slow-percent", 0, 100);
  auto slow = flags.GetSeconds("slow-latency");
  auto extra = flags.GetSeconds("extra-latency");
  for (const Error* e : {median ? nullptr : &median.error(), spread ? nullptr : &spread.error(),
                         slow_percent ? nullptr : &slow_percent.error(),
                         slow ? nullptr : &slow.error(), extra ? nullptr : &extra.error()}) {
    if (e) return *e;
  }
  auto to_us = [](double s) { return std::chrono::microseconds(static_cast<long long>(s * 1e6)); };
  auto& random = setup.Keep(std::make_shared<kubeheal::SeededRandomSource>(std::random_device{}()));
  kubeheal::Clock& clock = setup.Keep(kubeheal::RealClock());
  PaymentLedger& ledger = setup.Keep(std::make_shared<PaymentLedger>());
  LatencyModel::Config config{to_us(*median), *spread, *slow_percent / 100.0, to_us(*slow)};
  LatencyModel& latency = setup.Keep(std::make_shared<LatencyModel>(config, random));
  latency.SetExtraDelay(to_us(*extra));
  AddPaymentsRoutes(setup.router, {ledger, latency, clock, flags.GetBool("enable-test-knobs")});
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  return RunService({.name = "payments",
                     .define_flags = DefineFlags,
                     .add_routes = AddRoutes,
                     .openapi = PaymentsOpenApi},
                    argc, argv);
}
