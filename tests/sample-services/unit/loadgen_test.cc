#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "endpoint_mix.h"
#include "health_check.h"
#include "kubeheal/common/scripted_random_source.h"
#include "latency_histogram.h"
#include "rate_profile.h"
#include "run_report.h"
#include "run_stats.h"
#include "send_schedule.h"

namespace kubeheal::samples {
namespace {

TEST(RateProfile, ShapesPerMode) {
  RateProfile burst{RateProfile::Mode::kBurst, 10, 50, 10, 2, 0};
  EXPECT_EQ(burst.RateAt(1), 10);
  EXPECT_EQ(burst.RateAt(8.5), 50);
  EXPECT_EQ(burst.RateAt(11), 10);
  EXPECT_DOUBLE_EQ(burst.ExpectedRequests(20), 2 * (8 * 10 + 2 * 50));

  RateProfile spike{RateProfile::Mode::kSpike, 10, 100, 10, 5, 10};
  EXPECT_EQ(spike.RateAt(9.9), 10);
  EXPECT_EQ(spike.RateAt(12), 100);
  EXPECT_EQ(spike.RateAt(15), 10);
  EXPECT_DOUBLE_EQ(spike.ExpectedRequests(30), 25 * 10 + 5 * 100);

  RateProfile flood{RateProfile::Mode::kFlood};
  EXPECT_FALSE(flood.open_loop());
  EXPECT_FALSE(ParseMode("storm").ok());
  EXPECT_EQ(*ParseMode("sustained"), RateProfile::Mode::kSustained);
  RateProfile bad{RateProfile::Mode::kBurst, 10, 50, 2, 2, 0};
  EXPECT_FALSE(bad.Validate().ok());
}

TEST(SendSchedule, SpacesSendsByTheRateAndStopsAtTheBounds) {
  SendSchedule steady({RateProfile::Mode::kSteady, 100}, 3.0, 1000000);
  std::vector<double> times;
  while (auto t = steady.Next()) times.push_back(*t);
  ASSERT_EQ(times.size(), 300u);  // rounding must not add a 301st
  EXPECT_NEAR(times[1] - times[0], 0.01, 1e-12);
  EXPECT_LT(times.back(), 3.0);

  SendSchedule capped({RateProfile::Mode::kSteady, 100}, 3.0, 7);
  int n = 0;
  while (capped.Next()) ++n;
  EXPECT_EQ(n, 7);

  RateProfile spike{RateProfile::Mode::kSpike, 10, 100, 10, 1, 1};
  SendSchedule spiking(spike, 3.0, 1000000);
  n = 0;
  while (spiking.Next()) ++n;
  EXPECT_NEAR(n, spike.ExpectedRequests(3.0), 2);

  RateProfile burst{RateProfile::Mode::kBurst, 20, 200, 2, 0.5, 0};
  SendSchedule bursting(burst, 6.0, 1000000);
  std::vector<double> burst_times;
  while (auto t = bursting.Next()) burst_times.push_back(*t);
  EXPECT_NEAR(burst_times.size(), burst.ExpectedRequests(6.0), 2);  // 3 x (1.5 x 20 + 0.5 x 200)
  // The first burst starts at 1.5 s on the dot, not one slow interval (50 ms) later.
  size_t first_fast = 1;
  while (first_fast < burst_times.size() &&
         burst_times[first_fast] - burst_times[first_fast - 1] > 0.01) {
    ++first_fast;
  }
  ASSERT_LT(first_fast, burst_times.size());
  EXPECT_NEAR(burst_times[first_fast - 1], 1.5, 1e-9);

  SendSchedule flood({RateProfile::Mode::kFlood}, 3.0, 5);
  EXPECT_EQ(*flood.Next(), 0.0);
}

TEST(LatencyHistogram, PercentilesWithinTwoPercent) {
  LatencyHistogram h;
  for (int i = 1; i <= 10000; ++i) h.Record(i);  // 1 us .. 10 ms
  EXPECT_NEAR(h.Percentile(0.5), 5000, 5000 * 0.02);
  EXPECT_NEAR(h.Percentile(0.99), 9900, 9900 * 0.02);
  EXPECT_EQ(h.Percentile(1.0), 10000);
  EXPECT_EQ(h.max(), 10000);
  LatencyHistogram other;
  other.Record(1000000);
  h.Merge(other);
  EXPECT_EQ(h.max(), 1000000);
  EXPECT_EQ(h.count(), 10001u);
  h.Reset();
  EXPECT_EQ(h.Percentile(0.5), 0);
}

TEST(EndpointMix, ParsesWeightsAndBuildsValidBodies) {
  auto mix = EndpointMix::Parse("GET /users/{id}=3, POST /orders=1", 50);
  ASSERT_TRUE(mix.ok()) << mix.error().message;
  ASSERT_EQ(mix->endpoints().size(), 2u);
  // 0.125 * 4 = 0.5 < 3: the first endpoint. (A scripted draw is a multiple of 2^-53; 0.1 is not
  // one and would arrive as the nearest one below it.)
  ScriptedRandomSource low({0.125});
  ClientRequest get = mix->Build(low);
  EXPECT_EQ(get.method, "GET");
  EXPECT_EQ(get.target, "/users/7");  // 1 + 0.125 * 50
  EXPECT_TRUE(get.body.empty());
  ScriptedRandomSource high({0.9});
  ClientRequest post = mix->Build(high);
  EXPECT_EQ(post.target, "/orders");
  auto body = nlohmann::json::parse(post.body);
  EXPECT_TRUE(body["user_id"].is_number_integer());
  EXPECT_FALSE(body["items"].empty());

  EXPECT_FALSE(EndpointMix::Parse("", 1).ok());
  EXPECT_FALSE(EndpointMix::Parse("FETCH /x", 1).ok());
  EXPECT_FALSE(EndpointMix::Parse("GET x", 1).ok());
  auto bad_weight = EndpointMix::Parse("GET /x=-1", 1);
  ASSERT_FALSE(bad_weight.ok());
  EXPECT_NE(bad_weight.error().message.find("weight"), std::string::npos);
}

TEST(RunStats, CountsCodesErrorsAndWindows) {
  RunStats stats;
  stats.RecordResponse(200, 1000);
  stats.RecordResponse(503, 2000);
  stats.RecordError(ErrorReason("GET http://h:1/x: connect failed: Connection refused"), 10);
  RunStats::Window w = stats.TakeWindow();
  EXPECT_EQ(w.responses, 2u);
  EXPECT_EQ(w.non_2xx, 1u);
  EXPECT_EQ(w.errors, 1u);
  EXPECT_EQ(stats.TakeWindow().responses, 0u);
  RunStats::Totals t = stats.Snapshot();
  EXPECT_EQ(t.status_counts.at(503), 1u);
  EXPECT_EQ(t.error_counts.at("connect failed: Connection refused"), 1u);
}

TEST(RunReport, SummaryCarriesRatePercentilesAndCodes) {
  RunSummary s;
  s.config.profile = {RateProfile::Mode::kSteady, 100};
  s.config.duration = 2;
  s.elapsed = 2;
  s.expected_requests = 200;
  s.issued = 200;
  for (int i = 0; i < 200; ++i) s.totals.latency.Record(1000);
  s.totals.responses = 200;
  s.totals.status_counts[200] = 200;
  auto json = SummaryJson(s, "http://x:1");
  EXPECT_DOUBLE_EQ(json["achieved_rate"].get<double>(), 100.0);
  EXPECT_DOUBLE_EQ(json["target_rate"].get<double>(), 100.0);
  EXPECT_EQ(json["status_codes"]["200"], 200);
  EXPECT_NEAR(json["latency_ms"]["p99"].get<double>(), 1.0, 0.02);
  std::string text = FormatSummaryText(s, "http://x:1");
  EXPECT_NE(text.find("100.0 req/s achieved"), std::string::npos);
  EXPECT_NE(text.find("200: 200"), std::string::npos);
}

TEST(HealthCheck, ParsesServiceTargets) {
  auto targets = ParseServiceTargets("orders=http://o:8080,users=http://u:1");
  ASSERT_TRUE(targets.ok());
  EXPECT_EQ((*targets)[1].url.host, "u");
  EXPECT_FALSE(ParseServiceTargets("orders").ok());
  EXPECT_FALSE(ParseServiceTargets("orders=ftp://x").ok());
}

}  // namespace
}  // namespace kubeheal::samples
