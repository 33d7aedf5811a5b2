#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <prometheus/collectable.h>
#include <prometheus/registry.h>

#include "kubeheal/common/result.h"

namespace kubeheal::kube {

// A small HTTP endpoint (cpprestsdk http_listener) for the kubelet and Prometheus:
//   /healthz  200 "ok" when every health check passes, else 500 naming the failed checks
//   /readyz   the same for readiness checks (e.g. informers synced, leader election running)
//   /metrics  the registry in Prometheus text format (when a registry was given), followed by
//             every collectable added with AddCollectable (e.g. the process_* metrics)
// Checks run on the listener's threads and must be quick and thread-safe.
class HealthServer {
 public:
  using Check = std::function<Status()>;

  // `address` is "host:port" or ":port" (all interfaces).
  HealthServer(std::string address, std::shared_ptr<prometheus::Registry> registry = nullptr);
  ~HealthServer();

  void AddHealthCheck(const std::string& name, Check check);
  void AddReadyCheck(const std::string& name, Check check);
  // Before Start(): one more source of families for /metrics (needs a registry).
  void AddCollectable(std::shared_ptr<prometheus::Collectable> collectable);
  Status Start();
  void Stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace kubeheal::kube
