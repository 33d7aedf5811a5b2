#include "kubeheal/kube/kube_metrics.h"

#include "kubeheal/kube/metric_family.h"

namespace kubeheal::kube {

KubeMetrics::KubeMetrics(std::shared_ptr<prometheus::Registry> registry)
    : registry_(std::move(registry)),
      requests_(RegisterFamily<prometheus::Counter>(
          *registry_, "kubeheal_kube_requests_total",
          "Kubernetes API requests by verb and HTTP code (0 = no response)")),
      watch_restarts_(
          RegisterFamily<prometheus::Counter>(*registry_, "kubeheal_kube_watch_restarts_total",
                                              "Watch streams restarted, by resource and reason")),
      queue_depth_(RegisterFamily<prometheus::Gauge>(*registry_, "kubeheal_workqueue_depth",
                                                     "Items waiting in a work queue")),
      queue_adds_(RegisterFamily<prometheus::Counter>(*registry_, "kubeheal_workqueue_adds_total",
                                                      "Items added to a work queue")),
      reconcile_seconds_(RegisterFamily<prometheus::Histogram>(
          *registry_, "kubeheal_reconcile_duration_seconds", "Time spent in one reconcile call")),
      reconciles_(RegisterFamily<prometheus::Counter>(
          *registry_, "kubeheal_reconcile_total", "Reconcile calls by controller and result")) {}

void KubeMetrics::RequestDone(const std::string& verb, int code) {
  requests_.Add({{"verb", verb}, {"code", std::to_string(code)}}).Increment();
}

void KubeMetrics::WatchRestarted(const std::string& resource, const std::string& reason) {
  watch_restarts_.Add({{"resource", resource}, {"reason", reason}}).Increment();
}

void KubeMetrics::QueueDepth(const std::string& queue, double depth) {
  queue_depth_.Add({{"name", queue}}).Set(depth);
}

void KubeMetrics::QueueAdded(const std::string& queue) {
  queue_adds_.Add({{"name", queue}}).Increment();
}

namespace {
const prometheus::Histogram::BucketBoundaries& ReconcileBuckets() {
  static const prometheus::Histogram::BucketBoundaries kBuckets = {
      0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30};
  return kBuckets;
}
}  // namespace

void KubeMetrics::DeclareController(const std::string& controller) {
  reconcile_seconds_.Add({{"controller", controller}}, ReconcileBuckets());
  reconciles_.Add({{"controller", controller}, {"result", "done"}});
}

void KubeMetrics::ReconcileDone(const std::string& controller, const std::string& result,
                                double seconds) {
  reconcile_seconds_.Add({{"controller", controller}}, ReconcileBuckets()).Observe(seconds);
  reconciles_.Add({{"controller", controller}, {"result", result}}).Increment();
}

}  // namespace kubeheal::kube
