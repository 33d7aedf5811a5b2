// Each fault as a client sees it, through the real agent in front of a real upstream.
#include "agent_fixture.h"

namespace kubeheal::agent::testing {
namespace {

using namespace std::chrono_literals;

TEST_F(AgentIntegrationTest, HttpErrorFaultHitsItsPercentOfRequests) {
  startAgent({"--threads", "2"});
  auto fault = adminJson(
      "POST", "/v1/faults",
      R"({"type":"httpError","percent":30,"params":{"status":503,"body":"drill\n"},"ttlSeconds":120})");
  ASSERT_EQ(fault["type"], "httpError");
  // 1000 independent draws at p=0.3: sd = sqrt(1000*0.3*0.7) = 14.5 requests; we accept
  // 30% +/- 6 points (about 4 sd), so a correct agent fails this far less than once in 10^4 runs.
  constexpr int kRequests = 1000;
  HttpClient client(agent_->port());
  int errors = 0;
  int oks = 0;
  for (int i = 0; i < kRequests; ++i) {
    const HttpResult result = client.get("/");
    ASSERT_TRUE(result.ok) << result.error;
    if (result.status == 503) {
      ASSERT_EQ(result.body, "drill\n");
      ++errors;
    } else if (result.status == 200) {
      ++oks;
    }
  }
  EXPECT_EQ(errors + oks, kRequests);
  EXPECT_NEAR(errors / double(kRequests), 0.30, 0.06) << errors << " errors";
  EXPECT_EQ(metricSettled(R"(kubeheal_agent_faults_injected_total{type="httpError"})", errors),
            errors);
  EXPECT_EQ(metricSettled(R"(http_requests_total{code="503",method="GET"})", errors), errors);
  EXPECT_EQ(upstream_->requestsServed(), static_cast<std::uint64_t>(oks));
}

TEST_F(AgentIntegrationTest, LatencyFaultDelaysOnlyMatchingRequests) {
  startAgent();
  adminJson(
      "POST", "/v1/faults",
      R"({"type":"latency","match":{"method":"GET","pathPrefix":"/slowpath"},"params":{"delayMs":300,"jitterMs":50},"ttlSeconds":60})");
  HttpClient client(agent_->port());
  for (int i = 0; i < 3; ++i) {
    auto start = std::chrono::steady_clock::now();
    ASSERT_EQ(client.get("/slowpath/x").status, 200);
    const auto delayed = std::chrono::steady_clock::now() - start;
    EXPECT_GE(delayed, 250ms);
    EXPECT_LT(delayed, 2s);
    start = std::chrono::steady_clock::now();
    ASSERT_EQ(client.get("/fastpath").status, 200);
    EXPECT_LT(std::chrono::steady_clock::now() - start, 240ms);  // the delay is >= 250 ms
    start = std::chrono::steady_clock::now();
    ASSERT_EQ(client.request("POST", "/slowpath/x", "body").status, 200);
    EXPECT_LT(std::chrono::steady_clock::now() - start, 240ms);  // the delay is >= 250 ms
  }
}

TEST_F(AgentIntegrationTest, HeaderMatchSelectsRequests) {
  startAgent();
  adminJson(
      "POST", "/v1/faults",
      R"({"type":"httpError","match":{"header":{"name":"X-Drill","value":"on"}},"params":{"status":500},"ttlSeconds":60})");
  HttpClient client(agent_->port());
  EXPECT_EQ(client.request("GET", "/", "", {{"x-drill", "on"}}).status, 500);
  EXPECT_EQ(client.request("GET", "/", "", {{"x-drill", "off"}}).status, 200);
  EXPECT_EQ(client.get("/").status, 200);
}

TEST_F(AgentIntegrationTest, AbortFaultResetsTheConnection) {
  startAgent();
  adminJson("POST", "/v1/faults", R"({"type":"abort","ttlSeconds":60})");
  RawConnection raw(agent_->port());
  ASSERT_TRUE(raw.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
  bool closed = false;
  bool reset = false;
  const std::string response = raw.readUntilClose(3s, &closed, &reset);
  EXPECT_TRUE(response.empty()) << response;
  EXPECT_TRUE(closed);
  EXPECT_TRUE(reset);
  EXPECT_FALSE(HttpClient(agent_->port()).get("/").ok);
  EXPECT_EQ(upstream_->requestsServed(), 0u);
}

TEST_F(AgentIntegrationTest, HangFaultHoldsUntilClearedThenServiceIsBackAtOnce) {
  startAgent();
  adminJson("POST", "/v1/faults", R"({"id":"hang","type":"hang","ttlSeconds":60})");
  RawConnection held(agent_->port());
  ASSERT_TRUE(held.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
  EXPECT_EQ(held.readUntilClose(700ms), "");  // nothing, still open
  HttpClient impatient(agent_->port(), 300ms);
  EXPECT_FALSE(impatient.get("/").ok);  // the client gives up
  EXPECT_EQ(admin("DELETE", "/v1/faults/hang").status, 200);
  bool closed = false;
  EXPECT_EQ(held.readUntilClose(2s, &closed), "");
  EXPECT_TRUE(closed);  // released by the clear
  EXPECT_EQ(HttpClient(agent_->port()).get("/").status, 200);
  EXPECT_GE(metric(R"(kubeheal_agent_faults_injected_total{type="hang"})"), 2);
}

TEST_F(AgentIntegrationTest, TrafficDropRefusesNewConnections) {
  startAgent();
  HttpClient before(agent_->port());
  ASSERT_EQ(before.get("/").status, 200);  // opened before the fault
  adminJson("POST", "/v1/faults", R"({"type":"trafficDrop","ttlSeconds":60})");
  for (int i = 0; i < 5; ++i) {
    RawConnection raw(agent_->port());
    raw.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    bool closed = false;
    EXPECT_EQ(raw.readUntilClose(2s, &closed), "");
    EXPECT_TRUE(closed);
  }
  EXPECT_EQ(before.get("/").status, 200);  // kept-alive connections are not affected
  EXPECT_EQ(metricSettled(R"(kubeheal_agent_faults_injected_total{type="trafficDrop"})", 5), 5);
}

TEST_F(AgentIntegrationTest, FaultsEndByThemselvesAtExpiry) {
  startAgent();
  adminJson("POST", "/v1/faults", R"({"type":"httpError","params":{"status":500},"ttlSeconds":1})");
  HttpClient client(agent_->port());
  EXPECT_EQ(client.get("/").status, 500);
  const auto start = std::chrono::steady_clock::now();
  int status = 500;
  while (status == 500 && std::chrono::steady_clock::now() - start < 5s) {
    std::this_thread::sleep_for(50ms);
    status = client.get("/").status;
  }
  EXPECT_EQ(status, 200);
  const auto healedAfter = std::chrono::steady_clock::now() - start;
  EXPECT_LT(healedAfter, 1500ms);
  EXPECT_TRUE(adminJson("GET", "/v1/faults")["faults"].empty());
  EXPECT_EQ(metricSettled(R"(kubeheal_agent_faults_active{type="httpError"})", 0), 0);
}

TEST_F(AgentIntegrationTest, ClearRestoresNormalServiceAtOnce) {
  startAgent();
  adminJson("POST", "/v1/faults",
            R"({"type":"httpError","params":{"status":502},"ttlSeconds":600})");
  adminJson("POST", "/v1/faults",
            R"({"type":"latency","params":{"delayMs":2000},"ttlSeconds":600})");
  EXPECT_EQ(metricSettled(R"(kubeheal_agent_faults_active{type="latency"})", 1), 1);
  EXPECT_EQ(adminJson("DELETE", "/v1/faults")["cleared"], 2);
  HttpClient client(agent_->port());
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(client.get("/").status, 200);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 500ms);
}

TEST_F(AgentIntegrationTest, MemoryLeakRaisesRssAndClearFreesIt) {
  startAgent();
  const double before = metric("process_resident_memory_bytes");
  adminJson(
      "POST", "/v1/faults",
      R"({"id":"leak","type":"memoryLeak","params":{"mbPerSecond":100,"capMb":40},"ttlSeconds":60})");
  double during = before;
  for (int i = 0; i < 50 && during < before + 35e6; ++i) {
    std::this_thread::sleep_for(100ms);
    during = metric("process_resident_memory_bytes");
  }
  EXPECT_GE(during, before + 35e6);
  EXPECT_LT(during, before + 60e6);  // the cap holds
  adminJson("DELETE", "/v1/faults/leak");
  double after = during;
  for (int i = 0; i < 30 && after > before + 20e6; ++i) {
    std::this_thread::sleep_for(100ms);
    after = metric("process_resident_memory_bytes");
  }
  EXPECT_LT(after, before + 20e6);
}

TEST_F(AgentIntegrationTest, CpuBurnUsesCpu) {
  startAgent();
  // The idle agent's own CPU over 500 ms is the yardstick (CI machines are shared and loaded).
  const double idleStart = metric("process_cpu_seconds_total");
  std::this_thread::sleep_for(500ms);
  const double idleUse = metric("process_cpu_seconds_total") - idleStart;
  EXPECT_LT(idleUse, 0.05);
  const double before = metric("process_cpu_seconds_total");
  adminJson("POST", "/v1/faults", R"({"type":"cpuBurn","params":{"threads":2},"ttlSeconds":2})");
  std::this_thread::sleep_for(2200ms);
  const double burnt = metric("process_cpu_seconds_total") - before;
  // Two spinning threads for 2 s: up to 4 CPU-seconds; even at a load of 20 on 2 cores they
  // get ~0.4. An idle agent uses well under 0.05.
  EXPECT_GT(burnt, 0.15) << "idle agent used " << idleUse;
  std::this_thread::sleep_for(300ms);
  const double after = metric("process_cpu_seconds_total");
  std::this_thread::sleep_for(500ms);
  EXPECT_LT(metric("process_cpu_seconds_total") - after, 0.05);  // stopped at expiry
}

TEST_F(AgentIntegrationTest, CrashFaultExitsWithItsCode) {
  startAgent();
  auto fault =
      adminJson("POST", "/v1/faults",
                R"({"type":"crash","params":{"exitCode":7,"delayMs":100},"ttlSeconds":30})");
  EXPECT_EQ(fault["params"]["exitCode"], 7);
  EXPECT_EQ(agent_->wait(5s), std::optional<int>(7));
}

}  // namespace
}  // namespace kubeheal::agent::testing
