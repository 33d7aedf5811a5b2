#include "kubeheal/agent/circuit_breaker.h"

#include <gtest/gtest.h>

#include "kubeheal/common/fake_clock.h"

namespace kubeheal::agent {
namespace {

using namespace std::chrono_literals;
using Outcome = CircuitBreaker::Outcome;

CircuitConfig autoConfig() {
  CircuitConfig config;
  config.mode = CircuitMode::kAuto;
  config.consecutive5xx = 3;
  config.errorRatio = 0;
  config.openSeconds = 10;
  config.halfOpenProbes = 2;
  return config;
}

// Automatic, tripping only on the error ratio (half the window's requests failed).
CircuitConfig ratioConfig(std::uint32_t windowSeconds, std::uint32_t minRequests) {
  CircuitConfig config;
  config.mode = CircuitMode::kAuto;
  config.consecutive5xx = 0;
  config.errorRatio = 0.5;
  config.windowSeconds = windowSeconds;
  config.minRequests = minRequests;
  return config;
}

void pass(CircuitBreaker& breaker, Outcome outcome) {
  const auto admission = breaker.admit();
  ASSERT_TRUE(admission.allowed);
  breaker.record(admission, outcome);
}

TEST(CircuitBreaker, DefaultClosedAdmitsEverything) {
  FakeClock time;
  CircuitBreaker breaker(time, CircuitConfig{});
  for (int i = 0; i < 100; ++i) pass(breaker, Outcome::kFailure);
  EXPECT_EQ(breaker.state(), CircuitState::kClosed);
}

TEST(CircuitBreaker, ForcedOpenRefusesWithRetryAfterOfTtl) {
  FakeClock time;
  CircuitBreaker breaker(time, CircuitConfig{});
  CircuitConfig open;
  open.mode = CircuitMode::kOpen;
  open.ttlSeconds = 30;
  breaker.configure(open);
  auto admission = breaker.admit();
  EXPECT_FALSE(admission.allowed);
  EXPECT_EQ(admission.retryAfter, 30s);
  time.Advance(29500ms);
  EXPECT_EQ(breaker.admit().retryAfter, 1s);
  time.Advance(500ms);
  EXPECT_TRUE(breaker.admit().allowed);  // ttl over: back to the previous (closed)
  EXPECT_EQ(breaker.status().config.mode, CircuitMode::kClosed);
}

TEST(CircuitBreaker, ForcedModeWithTtlRestoresPreviousAutoConfig) {
  FakeClock time;
  CircuitBreaker breaker(time, autoConfig());
  CircuitConfig closed;
  closed.mode = CircuitMode::kClosed;
  closed.ttlSeconds = 5;
  breaker.configure(closed);
  time.Advance(5s);
  const auto status = breaker.status();
  EXPECT_EQ(status.config.mode, CircuitMode::kAuto);
  EXPECT_EQ(status.config.consecutive5xx, 3u);
  EXPECT_FALSE(status.expiresAt.has_value());
}

TEST(CircuitBreaker, TheSameSettingsWithATtlRenewKeepingStateAndWhatItGoesBackTo) {
  FakeClock time;
  CircuitBreaker breaker(time, CircuitConfig{});  // closed: what the ttl goes back to
  CircuitConfig armed = autoConfig();
  armed.ttlSeconds = 30;
  breaker.configure(armed);
  for (int i = 0; i < 3; ++i) pass(breaker, Outcome::kFailure);
  ASSERT_EQ(breaker.state(), CircuitState::kOpen);
  time.Advance(20s);         // half-open by now (openSeconds 10)
  breaker.configure(armed);  // the operator's renewal
  EXPECT_NE(breaker.state(), CircuitState::kClosed) << "a renewal reset the circuit";
  time.Advance(25s);  // 45 s after arming, 25 s after the renewal: still armed
  EXPECT_EQ(breaker.status().config.mode, CircuitMode::kAuto);
  time.Advance(5s);  // 30 s after the renewal: back to closed
  const auto status = breaker.status();
  EXPECT_EQ(status.config.mode, CircuitMode::kClosed);
  EXPECT_FALSE(status.expiresAt.has_value());
}

TEST(CircuitBreaker, TripsOnConsecutiveFailuresOnly) {
  FakeClock time;
  CircuitBreaker breaker(time, autoConfig());
  pass(breaker, Outcome::kFailure);
  pass(breaker, Outcome::kFailure);
  pass(breaker, Outcome::kSuccess);  // resets the run
  pass(breaker, Outcome::kFailure);
  pass(breaker, Outcome::kFailure);
  EXPECT_EQ(breaker.state(), CircuitState::kClosed);
  pass(breaker, Outcome::kFailure);
  EXPECT_EQ(breaker.state(), CircuitState::kOpen);
  const auto refused = breaker.admit();
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.retryAfter, 10s);
  EXPECT_EQ(breaker.status().trips, 1u);
}

TEST(CircuitBreaker, HalfOpenClosesAfterAllProbesSucceed) {
  FakeClock time;
  CircuitBreaker breaker(time, autoConfig());
  for (int i = 0; i < 3; ++i) pass(breaker, Outcome::kFailure);
  time.Advance(9999ms);
  EXPECT_EQ(breaker.state(), CircuitState::kOpen);
  time.Advance(1ms);
  EXPECT_EQ(breaker.state(), CircuitState::kHalfOpen);
  const auto probe1 = breaker.admit();
  const auto probe2 = breaker.admit();
  EXPECT_TRUE(probe1.allowed && probe1.probe);
  EXPECT_TRUE(probe2.allowed && probe2.probe);
  EXPECT_FALSE(breaker.admit().allowed);  // only two probes at a time
  breaker.record(probe1, Outcome::kSuccess);
  EXPECT_EQ(breaker.state(), CircuitState::kHalfOpen);
  breaker.record(probe2, Outcome::kSuccess);
  EXPECT_EQ(breaker.state(), CircuitState::kClosed);
}

TEST(CircuitBreaker, HalfOpenProbeFailureReopens) {
  FakeClock time;
  CircuitBreaker breaker(time, autoConfig());
  for (int i = 0; i < 3; ++i) pass(breaker, Outcome::kFailure);
  time.Advance(10s);
  const auto probe = breaker.admit();
  ASSERT_TRUE(probe.probe);
  breaker.record(probe, Outcome::kFailure);
  EXPECT_EQ(breaker.state(), CircuitState::kOpen);
  EXPECT_EQ(breaker.admit().retryAfter, 10s);
  EXPECT_EQ(breaker.status().trips, 2u);
}

TEST(CircuitBreaker, NeutralProbeGivesItsSlotBack) {
  FakeClock time;
  auto config = autoConfig();
  config.halfOpenProbes = 1;
  CircuitBreaker breaker(time, config);
  for (int i = 0; i < 3; ++i) pass(breaker, Outcome::kFailure);
  time.Advance(10s);
  const auto probe = breaker.admit();
  EXPECT_FALSE(breaker.admit().allowed);
  breaker.record(probe, Outcome::kNeutral);
  EXPECT_TRUE(breaker.admit().allowed);
}

TEST(CircuitBreaker, LateResultsOfRequestsAdmittedBeforeTheTripAreIgnored) {
  FakeClock time;
  CircuitBreaker breaker(time, autoConfig());
  const auto early = breaker.admit();
  for (int i = 0; i < 3; ++i) pass(breaker, Outcome::kFailure);
  time.Advance(10s);
  EXPECT_EQ(breaker.state(), CircuitState::kHalfOpen);
  breaker.record(early, Outcome::kFailure);
  EXPECT_EQ(breaker.state(), CircuitState::kHalfOpen);
}

TEST(CircuitBreaker, TripsOnErrorRatioOverWindowAfterMinRequests) {
  FakeClock time;
  CircuitBreaker breaker(time, ratioConfig(10, 10));
  // 4 failures in 8 requests: ratio reached but too few requests.
  for (int i = 0; i < 4; ++i) {
    pass(breaker, Outcome::kSuccess);
    pass(breaker, Outcome::kFailure);
  }
  EXPECT_EQ(breaker.state(), CircuitState::kClosed);
  pass(breaker, Outcome::kSuccess);
  pass(breaker, Outcome::kFailure);  // 5 of 10
  EXPECT_EQ(breaker.state(), CircuitState::kOpen);
}

TEST(CircuitBreaker, OldFailuresLeaveTheWindow) {
  FakeClock time;
  CircuitBreaker breaker(time, ratioConfig(5, 4));
  pass(breaker, Outcome::kFailure);
  pass(breaker, Outcome::kFailure);
  pass(breaker, Outcome::kFailure);
  time.Advance(6s);  // those three are out of the window now
  pass(breaker, Outcome::kSuccess);
  pass(breaker, Outcome::kSuccess);
  pass(breaker, Outcome::kSuccess);
  pass(breaker, Outcome::kFailure);
  EXPECT_EQ(breaker.state(), CircuitState::kClosed);
  EXPECT_EQ(breaker.status().windowRequests, 4u);
  EXPECT_EQ(breaker.status().windowFailures, 1u);
}

TEST(CircuitBreaker, ReconfigureClosesAnOpenCircuit) {
  FakeClock time;
  CircuitBreaker breaker(time, autoConfig());
  for (int i = 0; i < 3; ++i) pass(breaker, Outcome::kFailure);
  EXPECT_EQ(breaker.state(), CircuitState::kOpen);
  breaker.configure(CircuitConfig{});
  EXPECT_TRUE(breaker.admit().allowed);
}

}  // namespace
}  // namespace kubeheal::agent
