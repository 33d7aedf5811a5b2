#pragma once

#include <functional>
#include <string>
#include <vector>

#include "kubeheal/sample_http/flag_set.h"
#include "kubeheal/sample_http/router.h"
#include "kubeheal/sample_http/service_metrics.h"

namespace kubeheal::samples {

// What every sample service's main() shares: flags --listen, --threads, --port-file; routes
// /health, /metrics and /docs; the server; and a clean exit (status 0) on SIGTERM or SIGINT.
struct ServiceDefinition {
  std::string name;            // "orders"
  std::string default_listen;  // "0.0.0.0:8081"
  // Adds service-specific flags before parsing.
  std::function<void(FlagSet&)> define_flags;
  // Adds business routes; returns an Error for bad flag values. Objects the routes need
  // must outlive the server: the callee keeps them in `keep_alive`.
  std::function<Result<bool>(const FlagSet&, Router&, ServiceMetrics&,
                             std::vector<std::shared_ptr<void>>& keep_alive)>
      add_routes;
  // The OpenAPI 3 document served at /docs.
  std::function<std::string()> openapi;
};

int RunService(const ServiceDefinition& service, int argc, char** argv);

}  // namespace kubeheal::samples
