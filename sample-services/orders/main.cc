// orders: CPU-heavy order placement that calls users and payments.
#include "kubeheal/sample_http/http_client_pool.h"
#include "kubeheal/sample_http/log.h"
#include "kubeheal/sample_http/service_runner.h"
#include "orders_api.h"

using namespace kubeheal::samples;

namespace {

// Empty URL: that dependency is not called (orders alone, e.g. a CPU-only drill).
Result<std::shared_ptr<HttpClientPool>> ClientFor(const FlagSet& flags, const std::string& flag) {
  std::string text = flags.Get(flag);
  if (text.empty()) {
    LogLine("warn", "orders", "--" + flag + " not set: that dependency is skipped");
    return std::shared_ptr<HttpClientPool>();
  }
  auto url = ParseHttpUrl(text);
  if (!url) return Error{"flag --" + flag + ": " + url.error().message};
  return std::make_shared<HttpClientPool>(*url);
}

}  // namespace

int main(int argc, char** argv) {
  ServiceDefinition service;
  service.name = "orders";
  service.default_listen = "0.0.0.0:8081";
  service.define_flags = [](FlagSet& flags) {
    flags.Define("users-url", "", "base URL of the users service, e.g. http://users:8080");
    flags.Define("payments-url", "", "base URL of the payments service");
    flags.Define("work-units", "2000",
                 "CPU work per order, in thousands of hash rounds (~1 ns each)");
    flags.Define("dependency-timeout", "2s", "timeout of each call to users or payments");
  };
  service.add_routes = [](const FlagSet& flags, Router& router, ServiceMetrics&,
                          std::vector<std::shared_ptr<void>>& keep_alive) -> Result<bool> {
    auto users = ClientFor(flags, "users-url");
    if (!users) return users.error();
    auto payments = ClientFor(flags, "payments-url");
    if (!payments) return payments.error();
    auto work = flags.GetInt("work-units", 0, 10000000);
    if (!work) return work.error();
    auto timeout = flags.GetSeconds("dependency-timeout");
    if (!timeout) return timeout.error();
    auto book = std::make_shared<OrderBook>();
    OrdersDependencies deps{*book, users->get(), payments->get(), static_cast<std::uint64_t>(*work),
                            std::chrono::milliseconds(static_cast<long long>(*timeout * 1000))};
    AddOrdersRoutes(router, deps);
    keep_alive.insert(keep_alive.end(), {book, *users, *payments});
    return true;
  };
  service.openapi = OrdersOpenApi;
  return RunService(service, argc, argv);
}
