// SLO multiwindow burn-rate judgement, driven by a simulated event stream on a FakeClock: the
// error ratio of each window is computed from the simulated history, as Prometheus would.
#include "kubeheal/policy/slo_burn_rate.h"

#include <cstdio>
#include <deque>
#include <functional>

#include <gtest/gtest.h>

#include "kubeheal/common/fake_clock.h"

namespace kubeheal::policy {
namespace {

using std::chrono::hours;
using std::chrono::minutes;

TEST(BurnRateAlertsTest, AbsentMeansTheWorkbookDefault) {
  auto alerts = ParseBurnRateAlerts(nlohmann::json());
  ASSERT_TRUE(alerts.ok());
  ASSERT_EQ(alerts->size(), 3u);
  EXPECT_EQ((*alerts)[0].long_window, "1h");
  EXPECT_EQ((*alerts)[0].short_window, "5m");
  EXPECT_DOUBLE_EQ((*alerts)[0].factor, 14.4);
  EXPECT_EQ((*alerts)[2].severity, Severity::kWarning);
  EXPECT_EQ(BurnRateWindows(*alerts),
            (std::vector<std::string>{"1h", "5m", "6h", "30m", "24h", "2h"}));
}

TEST(BurnRateAlertsTest, BadEntriesNameTheField) {
  struct Case {
    const char* json;
    const char* message;
  };
  for (
      const auto& c : std::vector<Case>{
          {R"([{"longWindow": "1h", "shortWindow": "5m", "factor": 0}])", "[0].factor"},
          {R"([{"longWindow": "5m", "shortWindow": "1h", "factor": 2}])",
           "[0].shortWindow: must be shorter"},
          {R"([{"longWindow": "1h", "shortWindow": "5m", "factor": 2}, {"longWindow": "1.5h", "shortWindow": "5m", "factor": 2}])",
           "[1].longWindow"},
          {R"([{"longWindow": "1h", "shortWindow": "5m", "factor": 2, "severity": "normal"}])",
           "[0].severity"},
          {R"([{"shortWindow": "5m", "factor": 2}])", "[0].longWindow: required"},
          {R"({"longWindow": "1h"})", "must be a list"}}) {
    auto r = ParseBurnRateAlerts(nlohmann::json::parse(c.json));
    ASSERT_FALSE(r.ok()) << c.json;
    EXPECT_NE(r.error().message.find(c.message), std::string::npos) << r.error().message;
    EXPECT_NE(r.error().message.find("spec.slo.burnRateAlerts"), std::string::npos);
  }
}

TEST(AssessBurnRateTest, NoMeasuredWindowIsUnknown) {
  auto o = AssessBurnRate("slo", 99.9, DefaultBurnRateAlerts(), {{"1h", 0.5}});
  EXPECT_FALSE(o.available);  // 5m missing: no alert has both windows
  EXPECT_FALSE(o.anomalous);
}

TEST(AssessBurnRateTest, BothWindowsMustBurn) {
  // 1h burns 20x but the last 5 minutes are clean: the burn stopped, no alert.
  auto o = AssessBurnRate("slo", 99.0, {{"1h", "5m", 14.4, Severity::kCritical}},
                          {{"1h", 0.2}, {"5m", 0.001}});
  EXPECT_TRUE(o.available);
  EXPECT_FALSE(o.anomalous);
  o = AssessBurnRate("slo", 99.0, {{"1h", "5m", 14.4, Severity::kCritical}},
                     {{"1h", 0.2}, {"5m", 0.3}});
  EXPECT_TRUE(o.anomalous);
  EXPECT_EQ(o.severity, Severity::kCritical);
  EXPECT_NEAR(o.value, 20, 1e-9);  // min(20x, 30x)
  EXPECT_DOUBLE_EQ(o.expected_high, 14.4);
  EXPECT_NEAR(o.score, 0.5 * 20 / 14.4, 1e-9);  // 0.5 at the alert's threshold
  EXPECT_NE(o.explanation.find("20.0x over 1h"), std::string::npos) << o.explanation;
}

// A service with a simulated request stream: 100 requests per second, a bad share that the test
// changes over time. Windows are answered from the recorded minutes, as Prometheus' rate() would.
class SimulatedService {
 public:
  explicit SimulatedService(FakeClock* clock) : clock_(clock) {}
  void set_bad_share(double share) { bad_share_ = share; }
  // One minute passes.
  void Tick() {
    clock_->Advance(minutes(1));
    minutes_.push_back(bad_share_);
    if (minutes_.size() > 48 * 60) minutes_.pop_front();
  }
  std::map<std::string, double> ErrorRatios(const std::vector<std::string>& windows) const {
    std::map<std::string, double> out;
    for (const auto& w : windows) {
      const size_t n = WindowMinutes(w);
      double bad = 0;
      size_t seen = 0;
      for (auto it = minutes_.rbegin(); it != minutes_.rend() && seen < n; ++it, ++seen) bad += *it;
      if (seen > 0) out[w] = bad / static_cast<double>(seen);
    }
    return out;
  }

 private:
  static size_t WindowMinutes(const std::string& w) {
    const size_t n = std::stoul(w);
    return w.back() == 'h' ? n * 60 : n;
  }
  FakeClock* clock_;
  double bad_share_ = 0;
  std::deque<double> minutes_;
};

struct Episode {
  std::optional<Clock::TimePoint> detected, cleared;
  Severity worst = Severity::kNormal;
};

// Runs the service for `duration` minutes, judging the SLO every minute.
void RunService(FakeClock& clock, SimulatedService& service,
                const std::vector<BurnRateAlert>& alerts, double objective, minutes duration,
                Episode* episode) {
  const auto windows = BurnRateWindows(alerts);
  for (int i = 0; i < duration.count(); ++i) {
    service.Tick();
    const auto o = AssessBurnRate("slo", objective, alerts, service.ErrorRatios(windows));
    ASSERT_TRUE(o.available);
    if (o.anomalous) {
      if (!episode->detected) episode->detected = clock.Now();
      episode->worst = std::max(episode->worst, o.severity);
    } else if (episode->detected && !episode->cleared) {
      episode->cleared = clock.Now();
    }
  }
}

TEST(SloSimulationTest, FastBurnPagesWithinMinutesAndClearsWithTheShortWindow) {
  FakeClock clock;
  SimulatedService service(&clock);
  const auto alerts = DefaultBurnRateAlerts();
  Episode episode;
  service.set_bad_share(0.001);  // 0.1% errors: burn 0.2x of a 99.5% objective
  RunService(clock, service, alerts, 99.5, hours(26), &episode);
  EXPECT_FALSE(episode.detected) << "false alarm on a healthy service";

  const auto fault_start = clock.Now();
  service.set_bad_share(0.40);  // the errors drill: 40% HTTP 500
  RunService(clock, service, alerts, 99.5, minutes(20), &episode);
  ASSERT_TRUE(episode.detected);
  // The 1h window reaches 14.4 x 0.5% = 7.2% after about 11 minutes of 40% errors.
  const auto mttd = *episode.detected - fault_start;
  EXPECT_GE(mttd, minutes(10));
  EXPECT_LE(mttd, minutes(12));
  EXPECT_EQ(episode.worst, Severity::kCritical);

  const auto fault_end = clock.Now();
  service.set_bad_share(0.001);
  RunService(clock, service, alerts, 99.5, minutes(30), &episode);
  ASSERT_TRUE(episode.cleared);
  EXPECT_LE(*episode.cleared - fault_end, minutes(5)) << "the 5m window should end the alert";
  std::printf("[slo-sim] 40%% errors: paged after %lld min, cleared %lld min after the burn\n",
              static_cast<long long>(std::chrono::duration_cast<minutes>(mttd).count()),
              static_cast<long long>(
                  std::chrono::duration_cast<minutes>(*episode.cleared - fault_end).count()));
}

TEST(SloSimulationTest, SlowBurnIsCaughtByTheLongerWindows) {
  FakeClock clock;
  SimulatedService service(&clock);
  const auto alerts = DefaultBurnRateAlerts();
  Episode episode;
  RunService(clock, service, alerts, 99.5, hours(26), &episode);
  const auto fault_start = clock.Now();
  service.set_bad_share(0.04);  // 8x: never pages on 1h/5m (14.4x), does on 6h/30m (6x)
  RunService(clock, service, alerts, 99.5, hours(8), &episode);
  ASSERT_TRUE(episode.detected);
  const auto mttd = *episode.detected - fault_start;
  std::printf("[slo-sim] 4%% errors: caught after %lld min\n",
              static_cast<long long>(std::chrono::duration_cast<minutes>(mttd).count()));
  EXPECT_GE(mttd, hours(4));
  EXPECT_LE(mttd, hours(5));
  EXPECT_EQ(episode.worst, Severity::kCritical);
}

TEST(SloSimulationTest, OwnAlertsWithWarningSeverity) {
  FakeClock clock;
  SimulatedService service(&clock);
  auto alerts = ParseBurnRateAlerts(nlohmann::json::parse(
      R"([{"longWindow": "10m", "shortWindow": "2m", "factor": 2, "severity": "warning"}])"));
  ASSERT_TRUE(alerts.ok());
  Episode episode;
  RunService(clock, service, *alerts, 99.0, minutes(30), &episode);
  EXPECT_FALSE(episode.detected);
  service.set_bad_share(0.05);  // 5x a 1% budget
  RunService(clock, service, *alerts, 99.0, minutes(10), &episode);
  ASSERT_TRUE(episode.detected);
  EXPECT_EQ(episode.worst, Severity::kWarning);
}

}  // namespace
}  // namespace kubeheal::policy
