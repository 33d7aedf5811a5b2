#include "kubeheal/agent/metrics_exporter.h"

#include <gtest/gtest.h>

#include "kubeheal/common/fake_clock.h"

namespace kubeheal::agent {
namespace {

class FixedProcess final : public ProcessStatsReader {
 public:
  ProcessStats read() const override { return {12345678, 1.5, 1700000000, 9}; }
};

TEST(MetricsExporter, SumsShardsIntoTheNamedFamilies) {
  FakeClock time;
  FaultRegistry faults(time);
  CircuitBreaker circuit(time, CircuitConfig{});
  Throttle throttle(time);
  AgentMetrics metrics(2);
  FixedProcess process;
  metrics.shard(0).countRequest(200, AgentMetrics::methodIndex("GET"), 0.0004);
  metrics.shard(1).countRequest(200, AgentMetrics::methodIndex("GET"), 0.003);
  metrics.shard(1).countRequest(503, AgentMetrics::methodIndex("BREW"), 20);
  metrics.countFaultInjected(FaultType::kAbort);
  MetricsExporter exporter(metrics, faults, circuit, throttle, process);
  const std::string text = exporter.render();
  EXPECT_NE(text.find("http_requests_total{code=\"200\",method=\"GET\"} 2"), std::string::npos)
      << text;
  EXPECT_NE(text.find("http_requests_total{code=\"503\",method=\"OTHER\"} 1"), std::string::npos);
  EXPECT_NE(text.find("http_request_duration_seconds_bucket{le=\"0.0005\"} 1"), std::string::npos);
  EXPECT_NE(text.find("http_request_duration_seconds_bucket{le=\"0.005\"} 2"), std::string::npos);
  EXPECT_NE(text.find("http_request_duration_seconds_bucket{le=\"+Inf\"} 3"), std::string::npos);
  EXPECT_NE(text.find("http_request_duration_seconds_count 3"), std::string::npos);
  EXPECT_NE(text.find("kubeheal_agent_faults_injected_total{type=\"abort\"} 1"), std::string::npos);
  EXPECT_NE(text.find("kubeheal_agent_circuit_state{state=\"closed\"} 1"), std::string::npos);
  EXPECT_NE(text.find("process_resident_memory_bytes 12345678"), std::string::npos);
}

}  // namespace
}  // namespace kubeheal::agent
