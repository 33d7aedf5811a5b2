// A fault in payments shows upstream: orders' latency rises with payments' delay, and orders
// answers 502 naming payments when payments is gone.
#include <algorithm>
#include <chrono>
#include <iostream>

#include <gtest/gtest.h>

#include "http_test_client.h"
#include "service_process.h"

namespace kubeheal::samples::testing {
namespace {

constexpr const char* kOrder = R"({"user_id":2,"items":[{"sku":"A","quantity":1,"unit_price":3}]})";

// Median latency of `n` sequential orders, in milliseconds.
double MedianOrderLatencyMs(unsigned short orders_port, int n) {
  std::vector<double> ms;
  for (int i = 0; i < n; ++i) {
    auto start = std::chrono::steady_clock::now();
    Answer answer = Request(orders_port, "POST", "/orders", kOrder);
    EXPECT_EQ(answer.status, 201) << answer.body << answer.error;
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
                     .count());
  }
  std::sort(ms.begin(), ms.end());
  return ms[ms.size() / 2];
}

TEST(Cascade, SlowPaymentsRaiseOrdersLatency) {
  ServiceProcess users, payments, orders;
  std::string error;
  ASSERT_TRUE(users.Start("users", {}, error)) << error;
  ASSERT_TRUE(payments.Start(
      "payments",
      {"--latency", "2ms", "--latency-spread", "0", "--slow-percent", "0", "--enable-test-knobs"},
      error))
      << error;
  ASSERT_TRUE(orders.Start(
      "orders",
      {"--users-url", users.url(), "--payments-url", payments.url(), "--work-units", "100"}, error))
      << error;

  double baseline = MedianOrderLatencyMs(orders.port(), 15);
  Answer knob = Request(payments.port(), "PUT", "/admin/slowdown", R"({"extra_ms":150})");
  ASSERT_EQ(knob.status, 200) << knob.body;
  double slowed = MedianOrderLatencyMs(orders.port(), 15);
  std::cout << "cascade: orders median latency " << baseline << " ms -> " << slowed
            << " ms with payments +150 ms\n";
  EXPECT_LT(baseline, 100);
  EXPECT_GE(slowed, baseline + 140);

  Request(payments.port(), "PUT", "/admin/slowdown", R"({"extra_ms":0})");
  EXPECT_LT(MedianOrderLatencyMs(orders.port(), 5), 100);  // recovers when the fault ends

  ASSERT_EQ(payments.Stop(), 0);
  Answer down = Request(orders.port(), "POST", "/orders", kOrder);
  EXPECT_EQ(down.status, 502);
  EXPECT_EQ(down.Json()["dependency"], "payments") << down.body;
}

TEST(Cascade, PaymentsTimeoutBecomesOrders502WithinTheDependencyTimeout) {
  ServiceProcess payments, orders;
  std::string error;
  ASSERT_TRUE(payments.Start("payments", {"--extra-latency", "2s", "--slow-percent", "0"}, error))
      << error;
  ASSERT_TRUE(orders.Start(
      "orders",
      {"--payments-url", payments.url(), "--work-units", "10", "--dependency-timeout", "300ms"},
      error))
      << error;
  auto start = std::chrono::steady_clock::now();
  Answer answer = Request(orders.port(), "POST", "/orders", kOrder);
  double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  EXPECT_EQ(answer.status, 502) << answer.body;
  EXPECT_NE(answer.body.find("timed out"), std::string::npos) << answer.body;
  EXPECT_GE(ms, 290);
  EXPECT_LT(ms, 1500);
}

}  // namespace
}  // namespace kubeheal::samples::testing
