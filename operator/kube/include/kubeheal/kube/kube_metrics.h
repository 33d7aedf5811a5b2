#pragma once

#include <memory>
#include <string>

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

namespace kubeheal::kube {

// The runtime's statistics, declared in one place. Label values are bounded (verbs, HTTP
// codes, resource and controller names), never object names. prometheus-cpp metrics are
// thread-safe; Family::Add is too, so any thread may record.
class KubeMetrics {
 public:
  explicit KubeMetrics(std::shared_ptr<prometheus::Registry> registry);

  void RequestDone(const std::string& verb, int code);
  void WatchRestarted(const std::string& resource, const std::string& reason);
  void QueueDepth(const std::string& queue, double depth);
  void QueueAdded(const std::string& queue);
  void ReconcileDone(const std::string& controller, const std::string& result, double seconds);
  // Creates a controller's reconcile series at zero, so dashboards and alerts see the
  // controller before its first reconcile (a family without children is not exported).
  void DeclareController(const std::string& controller);

  const std::shared_ptr<prometheus::Registry>& registry() const { return registry_; }

 private:
  std::shared_ptr<prometheus::Registry> registry_;
  prometheus::Family<prometheus::Counter>& requests_;
  prometheus::Family<prometheus::Counter>& watch_restarts_;
  prometheus::Family<prometheus::Gauge>& queue_depth_;
  prometheus::Family<prometheus::Counter>& queue_adds_;
  prometheus::Family<prometheus::Histogram>& reconcile_seconds_;
  prometheus::Family<prometheus::Counter>& reconciles_;
};

}  // namespace kubeheal::kube
