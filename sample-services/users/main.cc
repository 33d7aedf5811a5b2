// users: an in-memory user store (reads and writes) behind HTTP.
#include "kubeheal/sample_http/service_runner.h"
#include "users_api.h"

using kubeheal::Error;
using kubeheal::Result;
using namespace kubeheal::samples;

namespace {

void DefineFlags(FlagSet& flags) {
  flags.Define("seed-users", "100", "users created at start (ids 1..N), so callers find some");
}

Result<bool> AddRoutes(ServiceSetup& setup) {
  auto seed = setup.flags.GetInt("seed-users", 0, 1000000);
  if (!seed) return seed.error();
  UserStore& store = setup.Keep(std::make_shared<UserStore>());
  for (long i = 1; i <= *seed; ++i) {
    User ignored;
    (void)store.Create("user " + std::to_string(i), "user" + std::to_string(i) + "@example.com",
                       ignored);
  }
  AddUsersRoutes(setup.router, store);
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  return RunService({.name = "users",
                     .define_flags = DefineFlags,
                     .add_routes = AddRoutes,
                     .openapi = UsersOpenApi},
                    argc, argv);
}
