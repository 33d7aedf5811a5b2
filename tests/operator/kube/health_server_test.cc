#include "kubeheal/kube/health_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>

#include <cpprest/http_client.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "free_port.h"
#include "kubeheal/kube/kube_metrics.h"
#include "kubeheal/kube/proc_fs_process_info_source.h"
#include "kubeheal/kube/process_collector.h"

namespace kubeheal::kube {
namespace {

using test_support::FreePort;

std::pair<int, std::string> Fetch(int port, const std::string& path) {
  web::http::client::http_client c("http://127.0.0.1:" + std::to_string(port));
  auto resp = c.request("GET", path).get();
  return {resp.status_code(), resp.extract_utf8string(true).get()};
}

TEST(HealthServerTest, ServesHealthReadinessAndMetricsOnLoopback) {
  auto registry = std::make_shared<prometheus::Registry>();
  KubeMetrics metrics(registry);
  metrics.RequestDone("list", 200);
  metrics.RequestDone("list", 200);
  metrics.RequestDone("get", 404);
  const int port = FreePort();
  HealthServer server("127.0.0.1:" + std::to_string(port), registry);
  std::atomic<bool> synced{false};
  server.AddHealthCheck("ping", [] { return Status::Ok(); });
  server.AddReadyCheck("informers", [&]() -> Status {
    return synced ? Status::Ok() : Status(Error::Retryable("NotSynced", "configmaps not synced"));
  });
  ASSERT_TRUE(server.Start().ok());
  EXPECT_EQ(Fetch(port, "/healthz").first, 200);
  auto not_ready = Fetch(port, "/readyz");
  EXPECT_EQ(not_ready.first, 500);
  EXPECT_THAT(not_ready.second, ::testing::HasSubstr("informers: NotSynced"));
  synced = true;
  EXPECT_EQ(Fetch(port, "/readyz").first, 200);
  auto m = Fetch(port, "/metrics");
  EXPECT_EQ(m.first, 200);
  EXPECT_THAT(m.second,
              ::testing::HasSubstr(R"(kubeheal_kube_requests_total{code="200",verb="list"} 2)"));
  EXPECT_THAT(m.second,
              ::testing::HasSubstr(R"(kubeheal_kube_requests_total{code="404",verb="get"} 1)"));
  EXPECT_EQ(Fetch(port, "/other").first, 404);
  server.Stop();
}

TEST(HealthServerTest, MetricsIncludeAddedCollectables) {
  auto registry = std::make_shared<prometheus::Registry>();
  KubeMetrics metrics(registry);
  metrics.DeclareController("widgets");
  const int port = FreePort();
  HealthServer server("127.0.0.1:" + std::to_string(port), registry);
  server.AddCollectable(
      std::make_shared<ProcessCollector>(std::make_shared<ProcFsProcessInfoSource>()));
  ASSERT_TRUE(server.Start().ok());
  auto m = Fetch(port, "/metrics");
  EXPECT_EQ(m.first, 200);
  EXPECT_THAT(m.second, ::testing::HasSubstr("# TYPE process_cpu_seconds_total counter"));
  EXPECT_THAT(m.second, ::testing::HasSubstr("process_resident_memory_bytes "));
  // A declared controller is exported before its first reconcile.
  EXPECT_THAT(m.second, ::testing::HasSubstr(
                            R"(kubeheal_reconcile_total{controller="widgets",result="done"} 0)"));
  server.Stop();
}

}  // namespace
}  // namespace kubeheal::kube
