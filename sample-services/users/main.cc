// users: an in-memory user store (reads and writes) behind HTTP.
#include "kubeheal/sample_http/service_runner.h"
#include "users_api.h"

using namespace kubeheal::samples;

int main(int argc, char** argv) {
  ServiceDefinition service;
  service.name = "users";
  service.default_listen = "0.0.0.0:8081";
  service.define_flags = [](FlagSet& flags) {
    flags.Define("seed-users", "100", "users created at start (ids 1..N), so callers find some");
  };
  service.add_routes = [](const FlagSet& flags, Router& router, ServiceMetrics&,
                          std::vector<std::shared_ptr<void>>& keep_alive) -> Result<bool> {
    auto seed = flags.GetInt("seed-users", 0, 1000000);
    if (!seed) return seed.error();
    auto store = std::make_shared<UserStore>();
    for (long i = 1; i <= *seed; ++i) {
      User ignored;
      (void)store->Create("user " + std::to_string(i), "user" + std::to_string(i) + "@example.com",
                          ignored);
    }
    AddUsersRoutes(router, *store);
    keep_alive.push_back(store);
    return true;
  };
  service.openapi = UsersOpenApi;
  return RunService(service, argc, argv);
}
