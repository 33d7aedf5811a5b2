#include "kubeheal/sample_http/service_metrics.h"

#include <prometheus/text_serializer.h>

namespace kubeheal::samples {

ServiceMetrics::ServiceMetrics(const std::string& service)
    : registry_(std::make_shared<prometheus::Registry>()),
      process_(std::make_shared<ProcessMetricsCollector>()) {
  requests_ = &prometheus::BuildCounter()
                   .Name("http_requests_total")
                   .Help("HTTP requests served, by route pattern, method and status code.")
                   .Labels({{"service", service}})
                   .Register(*registry_);
  durations_ = &prometheus::BuildHistogram()
                    .Name("http_request_duration_seconds")
                    .Help("Time to serve an HTTP request, by route pattern.")
                    .Labels({{"service", service}})
                    .Register(*registry_);
  in_flight_ = &prometheus::BuildGauge()
                    .Name("http_requests_in_flight")
                    .Help("HTTP requests being served right now.")
                    .Labels({{"service", service}})
                    .Register(*registry_)
                    .Add({});
}

void ServiceMetrics::ObserveRequest(const std::string& route, const std::string& method, int status,
                                    double seconds) {
  static const prometheus::Histogram::BucketBoundaries kBuckets = {
      0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
  requests_->Add({{"route", route}, {"method", method}, {"code", std::to_string(status)}})
      .Increment();
  durations_->Add({{"route", route}, {"method", method}}, kBuckets).Observe(seconds);
}

void ServiceMetrics::InFlight(int delta) { in_flight_->Increment(delta); }

std::string ServiceMetrics::Render() const {
  std::vector<prometheus::MetricFamily> families = registry_->Collect();
  for (auto& family : process_->Collect()) families.push_back(std::move(family));
  return prometheus::TextSerializer().Serialize(families);
}

}  // namespace kubeheal::samples
