#pragma once

#include <memory>
#include <string>

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include "kubeheal/sample_http/process_metrics_collector.h"

namespace kubeheal::samples {

// A service's own metrics: RED per route plus process metrics, rendered in the Prometheus
// text format at /metrics. Labels are the route pattern, method and status code only.
// Thread-safe: prometheus-cpp metrics are atomic; families are looked up under its lock.
class ServiceMetrics {
 public:
  explicit ServiceMetrics(const std::string& service);

  void ObserveRequest(const std::string& route, const std::string& method, int status,
                      double seconds);
  void InFlight(int delta);
  prometheus::Registry& registry() { return *registry_; }
  std::string Render() const;

 private:
  std::shared_ptr<prometheus::Registry> registry_;
  std::shared_ptr<ProcessMetricsCollector> process_;
  prometheus::Family<prometheus::Counter>* requests_;
  prometheus::Family<prometheus::Histogram>* durations_;
  prometheus::Gauge* in_flight_;
};

}  // namespace kubeheal::samples
