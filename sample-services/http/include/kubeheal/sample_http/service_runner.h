#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "kubeheal/sample_http/flag_set.h"
#include "kubeheal/sample_http/router.h"
#include "kubeheal/sample_http/service_metrics.h"

namespace kubeheal::samples {

// What every sample service's main() shares: flags --listen, --threads, --port-file; routes
// /health, /metrics and /docs; the server; and a clean exit (status 0) on SIGTERM or SIGINT.
// What a service's add_routes gets: its parsed flags, the router for its business routes, its
// metrics, and the objects those routes use, which must outlive the server.
struct ServiceSetup {
  const FlagSet& flags;
  Router& router;
  ServiceMetrics& metrics;
  std::vector<std::shared_ptr<void>>& keep_alive;

  // Keeps `object` alive as long as the server and returns it for the routes to refer to.
  template <typename T>
  T& Keep(std::shared_ptr<T> object) {
    keep_alive.push_back(object);
    return *object;
  }
};

struct ServiceDefinition {
  std::string name;  // "orders"
  std::string default_listen = "0.0.0.0:8081";
  // Adds service-specific flags before parsing.
  std::function<void(FlagSet&)> define_flags;
  // Adds business routes; returns an Error for bad flag values.
  std::function<Result<bool>(ServiceSetup&)> add_routes;
  // The OpenAPI 3 document served at /docs.
  std::function<std::string()> openapi;
};

int RunService(const ServiceDefinition& service, int argc, char** argv);

}  // namespace kubeheal::samples
