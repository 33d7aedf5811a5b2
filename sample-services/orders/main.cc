// orders: CPU-heavy order placement that calls users and payments.
#include "kubeheal/common/logger.h"
#include "kubeheal/sample_http/http_client_pool.h"
#include "kubeheal/sample_http/service_runner.h"
#include "orders_api.h"

using kubeheal::Error;
using kubeheal::Result;
using namespace kubeheal::samples;

namespace {

// Empty URL: that dependency is not called (orders alone, e.g. a CPU-only drill).
Result<std::shared_ptr<HttpClientPool>> ClientFor(const FlagSet& flags, const std::string& flag) {
  std::string text = flags.Get(flag);
  if (text.empty()) {
    kubeheal::Log().Warn("--" + flag + " not set: that dependency is skipped",
                         {{"service", "orders"}});
    return std::shared_ptr<HttpClientPool>();
  }
  auto url = ParseHttpUrl(text);
  if (!url) return Error::Invalid("flag --" + flag + ": " + url.error().message);
  return std::make_shared<HttpClientPool>(*url);
}

void DefineFlags(FlagSet& flags) {
  flags.Define("users-url", "", "base URL of the users service, e.g. http://users:8080");
  flags.Define("payments-url", "", "base URL of the payments service");
  flags.Define("work-units", "2000",
               "CPU work per order, in thousands of hash rounds (~1 ns each)");
  flags.Define("dependency-timeout", "2s", "timeout of each call to users or payments");
}

Result<bool> AddRoutes(ServiceSetup& setup) {
  const FlagSet& flags = setup.flags;
  auto users = ClientFor(flags, "users-url");
  if (!users) return users.error();
  auto payments = ClientFor(flags, "payments-url");
  if (!payments) return payments.error();
  auto work = flags.GetInt("work-units", 0, 10000000);
  if (!work) return work.error();
  auto timeout = flags.GetSeconds("dependency-timeout");
  if (!timeout) return timeout.error();
  OrderBook& book = setup.Keep(std::make_shared<OrderBook>());
  setup.keep_alive.insert(setup.keep_alive.end(), {*users, *payments});
  AddOrdersRoutes(setup.router,
                  {book, users->get(), payments->get(), static_cast<std::uint64_t>(*work),
                   std::chrono::milliseconds(static_cast<long long>(*timeout * 1000))});
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  return RunService({.name = "orders",
                     .define_flags = DefineFlags,
                     .add_routes = AddRoutes,
                     .openapi = OrdersOpenApi},
                    argc, argv);
}
