#include "kubeheal/agent/fault_spec_parser.h"

#include <gtest/gtest.h>

#include "kubeheal/common/error.h"

namespace kubeheal::agent {
namespace {

FaultSpec ok(const std::string& json) {
  auto result = FaultSpecParser::parse(json);
  if (!result) {
    ADD_FAILURE() << json << " refused: " << result.error().ToString();
    return {};
  }
  return *result;
}

std::string refusedField(const std::string& json) {
  auto result = FaultSpecParser::parse(json);
  if (result) {
    ADD_FAILURE() << json << " accepted";
    return "<accepted>";
  }
  return result.error().field;
}

TEST(FaultSpecParser, FullLatencyFault) {
  const FaultSpec spec = ok(R"({"id":"d-1","type":"latency","percent":30,
    "match":{"method":"GET","pathPrefix":"/api","header":{"name":"x-drill","value":"on"}},
    "params":{"delayMs":200,"jitterMs":50},"ttlSeconds":300})");
  EXPECT_EQ(spec.id, "d-1");
  EXPECT_EQ(spec.type, FaultType::kLatency);
  EXPECT_DOUBLE_EQ(spec.percent, 30);
  EXPECT_EQ(*spec.match.method, "GET");
  EXPECT_EQ(*spec.match.pathPrefix, "/api");
  EXPECT_EQ(spec.match.header->name, "x-drill");
  EXPECT_EQ(*spec.match.header->value, "on");
  EXPECT_EQ(spec.params.delayMs, 200);
  EXPECT_EQ(spec.params.jitterMs, 50);
  EXPECT_DOUBLE_EQ(spec.ttlSeconds, 300);
}

TEST(FaultSpecParser, DefaultsAreFilledIn) {
  const FaultSpec error = ok(R"({"type":"httpError","params":{"status":503},"ttlSeconds":1})");
  EXPECT_DOUBLE_EQ(error.percent, 100);
  EXPECT_FALSE(error.params.body.empty());
  const FaultSpec burn = ok(R"({"type":"cpuBurn","ttlSeconds":1})");
  EXPECT_EQ(burn.params.threads, 1);
  EXPECT_EQ(burn.params.dutyPercent, 100);
  const FaultSpec crash = ok(R"({"type":"crash","ttlSeconds":1,"params":{"exitCode":7}})");
  EXPECT_EQ(crash.params.exitCode, 7);
  EXPECT_EQ(crash.params.crashDelayMs, 100);
  ok(R"({"type":"abort","ttlSeconds":1,"params":{}})");
  ok(R"({"type":"trafficDrop","percent":50,"ttlSeconds":1})");
  ok(R"({"type":"memoryLeak","params":{"mbPerSecond":0.5,"capMb":64},"ttlSeconds":1})");
}

TEST(FaultSpecParser, ErrorsNameTheField) {
  EXPECT_EQ(refusedField(R"({"type":"latency","params":{"delayMs":1},"ttlSeconds":1,"color":1})"),
            "color");
  EXPECT_EQ(refusedField(R"({"type":"latency","params":{"delayMs":1,"x":2},"ttlSeconds":1})"),
            "params.x");
  EXPECT_EQ(refusedField(R"({"type":"latency","params":{},"ttlSeconds":1})"), "params.delayMs");
  EXPECT_EQ(refusedField(R"({"type":"latency","params":{"delayMs":"1"},"ttlSeconds":1})"),
            "params.delayMs");
  EXPECT_EQ(refusedField(R"({"type":"latency","params":{"delayMs":1.5},"ttlSeconds":1})"),
            "params.delayMs");
  EXPECT_EQ(refusedField(R"({"type":"latency","params":{"delayMs":1}})"), "ttlSeconds");
  EXPECT_EQ(refusedField(R"({"type":"latency","params":{"delayMs":1},"ttlSeconds":0})"),
            "ttlSeconds");
  EXPECT_EQ(refusedField(R"({"type":"latency","params":{"delayMs":1},"ttlSeconds":86401})"),
            "ttlSeconds");
  EXPECT_EQ(refusedField(R"({"type":"explode","ttlSeconds":1})"), "type");
  EXPECT_EQ(refusedField(R"({"ttlSeconds":1})"), "type");
  EXPECT_EQ(refusedField(R"({"type":"httpError","params":{"status":200},"ttlSeconds":1})"),
            "params.status");
  EXPECT_EQ(
      refusedField(R"({"type":"httpError","percent":0,"params":{"status":500},"ttlSeconds":1})"),
      "percent");
  EXPECT_EQ(
      refusedField(R"({"type":"httpError","percent":101,"params":{"status":500},"ttlSeconds":1})"),
      "percent");
  EXPECT_EQ(refusedField(R"({"type":"abort","match":{"pathPrefix":"api"},"ttlSeconds":1})"),
            "match.pathPrefix");
  EXPECT_EQ(refusedField(R"({"type":"abort","match":{"verb":"GET"},"ttlSeconds":1})"),
            "match.verb");
  EXPECT_EQ(refusedField(R"({"type":"abort","match":{"header":{"value":"x"}},"ttlSeconds":1})"),
            "match.header.name");
  EXPECT_EQ(refusedField(R"({"type":"abort","match":{"method":"GE T"},"ttlSeconds":1})"),
            "match.method");
  EXPECT_EQ(refusedField(R"({"type":"cpuBurn","percent":50,"ttlSeconds":1})"), "percent");
  EXPECT_EQ(refusedField(R"({"type":"trafficDrop","match":{"method":"GET"},"ttlSeconds":1})"),
            "match");
  EXPECT_EQ(refusedField(R"({"type":"memoryLeak","params":{"mbPerSecond":1},"ttlSeconds":1})"),
            "params.capMb");
  EXPECT_EQ(refusedField(R"({"type":"abort","id":"no spaces","ttlSeconds":1})"), "id");
}

TEST(FaultSpecParser, InvalidJsonHasNoField) {
  EXPECT_EQ(refusedField("{"), "");
  EXPECT_EQ(refusedField("[1,2]"), "");
  EXPECT_EQ(refusedField(""), "");
}

}  // namespace
}  // namespace kubeheal::agent
