// The data path against a real upstream: forwarding, keep-alive, streaming, upstream failures,
// and clients that misbehave.
#include "agent_fixture.h"

namespace kubeheal::agent::testing {
namespace {

using namespace std::chrono_literals;

TEST_F(AgentIntegrationTest, ForwardsRequestsOverKeptAliveConnections) {
  startAgent({"--threads", "2"});
  HttpClient client(agent_->port());
  for (int i = 0; i < 200; ++i) {
    const HttpResult result = client.get("/hello");
    ASSERT_TRUE(result.ok) << result.error;
    ASSERT_EQ(result.status, 200);
    ASSERT_EQ(result.body, "ok\n");
  }
  EXPECT_EQ(client.connectionsOpened(), 1u);        // client side kept alive
  EXPECT_LE(upstream_->connectionsAccepted(), 2u);  // upstream side pooled
  EXPECT_EQ(upstream_->requestsServed(), 200u);
  EXPECT_EQ(metricSettled(R"(http_requests_total{code="200",method="GET"})", 200), 200);
}

TEST_F(AgentIntegrationTest, AddsXForwardedFor) {
  startAgent();
  HttpClient client(agent_->port());
  EXPECT_EQ(client.get("/headers").body, "127.0.0.1");
  EXPECT_EQ(client.request("GET", "/headers", "", {{"X-Forwarded-For", "10.0.0.1"}}).body,
            "10.0.0.1, 127.0.0.1");
}

TEST_F(AgentIntegrationTest, StreamsLargeBodiesBothWays) {
  startAgent();
  HttpClient client(agent_->port(), 30s);
  const std::uint64_t size = 24u << 20;  // 24 MiB
  HttpResult download = client.get("/bytes?n=" + std::to_string(size));
  ASSERT_TRUE(download.ok) << download.error;
  ASSERT_EQ(download.body.size(), size);
  for (std::uint64_t i = 0; i < size; i += 4099) ASSERT_EQ(download.body[i], patternByte(i)) << i;

  HttpResult chunked = client.get("/chunked?n=3000000");
  ASSERT_TRUE(chunked.ok) << chunked.error;
  EXPECT_TRUE(chunked.chunked);
  EXPECT_EQ(chunked.body.size(), 3000000u);

  std::string upload(size, 'x');
  for (std::size_t i = 0; i < upload.size(); i += 997) upload[i] = static_cast<char>('0' + i % 10);
  HttpResult echoed = client.request("POST", "/echo", upload);
  ASSERT_TRUE(echoed.ok) << echoed.error;
  EXPECT_TRUE(echoed.body == upload);
  HttpResult echoedChunked = client.request("POST", "/echo", upload, {}, true);
  ASSERT_TRUE(echoedChunked.ok) << echoedChunked.error;
  EXPECT_TRUE(echoedChunked.chunked);
  EXPECT_TRUE(echoedChunked.body == upload);
}

TEST_F(AgentIntegrationTest, UpstreamDownGives502AndTimeoutGives504) {
  startAgent({"--upstream-timeout-ms", "300"});
  HttpClient client(agent_->port());
  const HttpResult slow = client.get("/slow?ms=1500");
  ASSERT_TRUE(slow.ok) << slow.error;
  EXPECT_EQ(slow.status, 504);
  EXPECT_EQ(slow.body, "kubeheal-agent: upstream timeout\n");
  upstream_->stop();
  const HttpResult down = client.get("/");
  ASSERT_TRUE(down.ok) << down.error;
  EXPECT_EQ(down.status, 502);
  EXPECT_EQ(metricSettled(R"(kubeheal_agent_upstream_errors_total{reason="timeout"})", 1), 1);
  EXPECT_GE(metric(R"(kubeheal_agent_upstream_errors_total{reason="connect"})"), 1);
  EXPECT_EQ(metricSettled(R"(http_requests_total{code="502",method="GET"})", 1), 1);
}

TEST_F(AgentIntegrationTest, MalformedRequestGets400AndAgentKeepsServing) {
  startAgent();
  RawConnection raw(agent_->port());
  ASSERT_TRUE(raw.send("GARBAGE\x01 / HTTP/9.9\r\n\r\n"));
  bool closed = false;
  const std::string response = raw.readUntilClose(3s, &closed);
  EXPECT_EQ(response.rfind("HTTP/1.1 400", 0), 0u) << response;
  EXPECT_TRUE(closed);
  EXPECT_EQ(HttpClient(agent_->port()).get("/").status, 200);
  EXPECT_EQ(metricSettled(R"(kubeheal_agent_client_errors_total{reason="bad_request"})", 1), 1);
}

TEST_F(AgentIntegrationTest, OversizedHeadersGet431AndAgentKeepsServing) {
  startAgent({"--max-header-bytes", "4096"});
  RawConnection raw(agent_->port());
  ASSERT_TRUE(
      raw.send("GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(64 * 1024, 'a') + "\r\n\r\n"));
  const std::string response = raw.readUntilClose(3s);
  EXPECT_EQ(response.rfind("HTTP/1.1 431", 0), 0u) << response.substr(0, 100);
  EXPECT_EQ(HttpClient(agent_->port()).get("/").status, 200);
}

TEST_F(AgentIntegrationTest, SlowClientGets408AndAgentKeepsServing) {
  startAgent({"--header-timeout-ms", "500"});
  RawConnection slowloris(agent_->port());
  ASSERT_TRUE(slowloris.send("GET / HTTP/1.1\r\nHost: x\r\n"));  // never finishes its headers
  // Meanwhile other clients are served.
  EXPECT_EQ(HttpClient(agent_->port()).get("/").status, 200);
  bool closed = false;
  const std::string response = slowloris.readUntilClose(5s, &closed);
  EXPECT_EQ(response.rfind("HTTP/1.1 408", 0), 0u) << response;
  EXPECT_TRUE(closed);
  EXPECT_EQ(HttpClient(agent_->port()).get("/").status, 200);
  EXPECT_EQ(metricSettled(R"(kubeheal_agent_client_errors_total{reason="timeout"})", 1), 1);
}

TEST_F(AgentIntegrationTest, ClientVanishingMidBodyDoesNotHurtOthers) {
  startAgent();
  {
    RawConnection raw(agent_->port());
    ASSERT_TRUE(
        raw.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\npartial"));
  }  // closed with 99993 bytes missing
  std::this_thread::sleep_for(100ms);
  EXPECT_EQ(HttpClient(agent_->port()).get("/").status, 200);
}

TEST_F(AgentIntegrationTest, SigtermDrainsInFlightRequests) {
  startAgent();
  HttpResult slow;
  std::thread request([&] { slow = HttpClient(agent_->port()).get("/slow?ms=800"); });
  std::this_thread::sleep_for(200ms);
  agent_->signal(SIGTERM);
  std::this_thread::sleep_for(100ms);
  EXPECT_TRUE(agent_->running());  // still draining
  request.join();
  EXPECT_TRUE(slow.ok) << slow.error;
  EXPECT_EQ(slow.status, 200);
  EXPECT_EQ(agent_->wait(5s), std::optional<int>(0)) << agent_->stderrText();
}

}  // namespace
}  // namespace kubeheal::agent::testing
