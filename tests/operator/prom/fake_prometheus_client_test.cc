#include "kubeheal/prom/fake_prometheus_client.h"

#include <gtest/gtest.h>

namespace kubeheal::prom {
namespace {

TEST(FakePrometheusClientTest, AnswersWhatItWasToldAndRecordsCalls) {
  FakePrometheusClient fake;
  fake.SetValue("up", 1, {{"job", "orders"}});
  const auto up = fake.Query({.expr = "up"});
  ASSERT_TRUE(up.ok());
  EXPECT_EQ(up->series.at(0).labels.at("job"), "orders");
  EXPECT_DOUBLE_EQ(up->series.at(0).samples.at(0).value, 1);
  EXPECT_TRUE(fake.Query({.expr = "unknown"})->series.empty());
  fake.FailAll(Error::Retryable("Unavailable", "down"));
  EXPECT_EQ(fake.QueryRange({.expr = "up"}).error().code, "Unavailable");
  fake.Clear();
  EXPECT_TRUE(fake.Query({.expr = "up"}).ok());
  EXPECT_EQ(fake.Calls(), (std::vector<std::string>{"up", "unknown", "up", "up"}));
}

}  // namespace
}  // namespace kubeheal::prom
