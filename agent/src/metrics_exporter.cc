#include "kubeheal/agent/metrics_exporter.h"

#include <array>

#include <prometheus/metric_family.h>
#include <prometheus/text_serializer.h>

namespace kubeheal::agent {
namespace {

using prometheus::ClientMetric;
using prometheus::MetricFamily;
using prometheus::MetricType;

MetricFamily family(std::string name, std::string help, MetricType type) {
  MetricFamily result;
  result.name = std::move(name);
  result.help = std::move(help);
  result.type = type;
  return result;
}

ClientMetric sample(double value, MetricType type, std::vector<ClientMetric::Label> labels = {}) {
  ClientMetric metric;
  metric.label = std::move(labels);
  if (type == MetricType::Counter) {
    metric.counter.value = value;
  } else {
    metric.gauge.value = value;
  }
  return metric;
}

MetricFamily single(std::string name, std::string help, MetricType type, double value) {
  MetricFamily result = family(std::move(name), std::move(help), type);
  result.metric.push_back(sample(value, type));
  return result;
}

// A counter with one sample per reason: `reasons[i]` is the label of `Reason(i)`, `count` reads
// its value.
template <class Reason, std::size_t N, class Count>
MetricFamily reasonCounter(std::string name, std::string help,
                           const std::array<std::string_view, N>& reasons, Count count) {
  MetricFamily result = family(std::move(name), std::move(help), MetricType::Counter);
  for (std::size_t i = 0; i < N; ++i) {
    result.metric.push_back(sample(static_cast<double>(count(static_cast<Reason>(i))),
                                   MetricType::Counter, {{"reason", std::string(reasons[i])}}));
  }
  return result;
}

}  // namespace

MetricsExporter::MetricsExporter(const AgentMetrics& metrics, FaultRegistry& faults,
                                 CircuitBreaker& circuit, Throttle& throttle,
                                 const ProcessStatsReader& process)
    : metrics_(metrics),
      faults_(faults),
      circuit_(circuit),
      throttle_(throttle),
      process_(process) {}

std::string MetricsExporter::render() {
  std::vector<MetricFamily> families;
  const AgentMetrics::Totals totals = metrics_.totals();

  MetricFamily requests =
      family("http_requests_total", "Data-path HTTP requests answered.", MetricType::Counter);
  for (const auto& count : totals.requests) {
    requests.metric.push_back(
        sample(static_cast<double>(count.count), MetricType::Counter,
               {{"code", std::to_string(count.code)},
                {"method", std::string(AgentMetrics::kMethods[count.methodIndex])}}));
  }
  families.push_back(std::move(requests));

  MetricFamily duration =
      family("http_request_duration_seconds",
             "Data-path request duration, request headers read to response written.",
             MetricType::Histogram);
  ClientMetric histogram;
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i < AgentMetrics::kDurationBuckets.size(); ++i) {
    cumulative += totals.buckets[i];
    histogram.histogram.bucket.push_back({cumulative, AgentMetrics::kDurationBuckets[i]});
  }
  cumulative += totals.buckets.back();
  histogram.histogram.sample_count = cumulative;
  histogram.histogram.sample_sum = totals.durationSeconds;
  duration.metric.push_back(std::move(histogram));
  families.push_back(std::move(duration));

  families.push_back(single("http_requests_in_flight", "Data-path requests being handled.",
                            MetricType::Gauge, static_cast<double>(totals.inFlight)));

  families.push_back(reasonCounter<AgentMetrics::UpstreamError>(
      "kubeheal_agent_upstream_errors_total", "Upstream failures, each answered with 502 or 504.",
      AgentMetrics::kUpstreamErrorNames,
      [&](AgentMetrics::UpstreamError e) { return metrics_.upstreamErrors(e); }));
  families.push_back(reasonCounter<AgentMetrics::ClientError>(
      "kubeheal_agent_client_errors_total", "Malformed, oversized or too slow client requests.",
      AgentMetrics::kClientErrorNames,
      [&](AgentMetrics::ClientError e) { return metrics_.clientErrors(e); }));

  std::array<double, kFaultTypeCount> active{};
  for (const auto& fault : faults_.list()) active[static_cast<std::size_t>(fault->spec.type)] += 1;
  MetricFamily injected =
      family("kubeheal_agent_faults_injected_total",
             "Requests, connections or processes a fault affected.", MetricType::Counter);
  MetricFamily activeFamily =
      family("kubeheal_agent_faults_active", "Active faults by type.", MetricType::Gauge);
  for (FaultType type : kAllFaultTypes) {
    const std::string name(faultTypeName(type));
    injected.metric.push_back(sample(static_cast<double>(metrics_.faultsInjected(type)),
                                     MetricType::Counter, {{"type", name}}));
    activeFamily.metric.push_back(
        sample(active[static_cast<std::size_t>(type)], MetricType::Gauge, {{"type", name}}));
  }
  families.push_back(std::move(injected));
  families.push_back(std::move(activeFamily));

  const CircuitState state = circuit_.state();
  MetricFamily circuit =
      family("kubeheal_agent_circuit_state", "1 for the circuit's current state, 0 for the others.",
             MetricType::Gauge);
  const std::array<std::pair<CircuitState, const char*>, 3> states = {
      {{CircuitState::kClosed, "closed"},
       {CircuitState::kOpen, "open"},
       {CircuitState::kHalfOpen, "half_open"}}};
  for (const auto& [value, name] : states) {
    circuit.metric.push_back(
        sample(state == value ? 1.0 : 0.0, MetricType::Gauge, {{"state", name}}));
  }
  families.push_back(std::move(circuit));
  families.push_back(single("kubeheal_agent_circuit_rejected_total",
                            "Requests refused with 503 by the circuit breaker.",
                            MetricType::Counter, static_cast<double>(metrics_.circuitRejected())));
  families.push_back(single("kubeheal_agent_throttled_requests_total",
                            "Requests refused with 429 by the throttle.", MetricType::Counter,
                            static_cast<double>(metrics_.throttled())));
  const Throttle::Status throttle = throttle_.status();
  families.push_back(single("kubeheal_agent_throttle_rate",
                            "Throttle rate in requests per second, 0 when off.", MetricType::Gauge,
                            throttle.enabled ? throttle.rps : 0.0));

  MetricFamily connections = family("kubeheal_agent_upstream_connections",
                                    "Upstream connections by state.", MetricType::Gauge);
  connections.metric.push_back(
      sample(static_cast<double>(totals.upstreamIdle), MetricType::Gauge, {{"state", "idle"}}));
  connections.metric.push_back(
      sample(static_cast<double>(totals.upstreamActive), MetricType::Gauge, {{"state", "active"}}));
  families.push_back(std::move(connections));

  const ProcessStats process = process_.read();
  families.push_back(single("process_resident_memory_bytes", "Resident memory size in bytes.",
                            MetricType::Gauge, process.residentBytes));
  families.push_back(single("process_cpu_seconds_total",
                            "Total user and system CPU time spent in seconds.", MetricType::Counter,
                            process.cpuSeconds));
  families.push_back(single("process_start_time_seconds",
                            "Start time of the process since unix epoch in seconds.",
                            MetricType::Gauge, process.startTimeSeconds));
  families.push_back(single("process_open_fds", "Number of open file descriptors.",
                            MetricType::Gauge, process.openFds));

  return prometheus::TextSerializer().Serialize(families);
}

}  // namespace kubeheal::agent
