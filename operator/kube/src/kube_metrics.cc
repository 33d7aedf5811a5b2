#include "kubeheal/kube/kube_metrics.h"

namespace kubeheal::kube {

KubeMetrics::KubeMetrics(std::shared_ptr<prometheus::Registry> registry)
    : registry_(std::move(registry)),
      requests_(prometheus::BuildCounter()
                    .Name("kubeheal_kube_requests_total")
                    .Help("Kubernetes API requests by verb and HTTP code (0 = no response)")
                    .Register(*registry_)),
      watch_restarts_(prometheus::BuildCounter()
                          .Name("kubeheal_kube_watch_restarts_total")
                          .Help("Watch streams restarted, by resource and reason")
                          .Register(*registry_)),
      queue_depth_(prometheus::BuildGauge()
                       .Name("kubeheal_workqueue_depth")
                       .Help("Items waiting in a work queue")
                       .Register(*registry_)),
      queue_adds_(prometheus::BuildCounter()
                      .Name("kubeheal_workqueue_adds_total")
                      .Help("Items added to a work queue")
                      .Register(*registry_)),
      reconcile_seconds_(prometheus::BuildHistogram()
                             .Name("kubeheal_reconcile_duration_seconds")
                             .Help("Time spent in one reconcile call")
                             .Register(*registry_)),
      reconciles_(prometheus::BuildCounter()
                      .Name("kubeheal_reconcile_total")
                      .Help("Reconcile calls by controller and result")
                      .Register(*registry_)) {}

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
