#include "kubeheal/prom/response_parser.h"

#include <cmath>
#include <string>

#include <gtest/gtest.h>

namespace kubeheal::prom {
namespace {

using std::chrono::milliseconds;

Clock::TimePoint AtMs(int64_t ms) { return Clock::TimePoint(milliseconds(ms)); }

TEST(ResponseParserTest, VectorWithLabelsAndTimestamps) {
  const auto r = ParseQueryResponse(200, R"({"status":"success","data":{"resultType":"vector",
      "result":[{"metric":{"__name__":"up","job":"orders","instance":"10.0.0.1:9901"},
                 "value":[1435781451.781,"1"]},
                {"metric":{"job":"payments"},"value":[1435781451.781,"0.25"]}]}})",
                                    "q");
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  EXPECT_EQ(r->type, ResultType::kVector);
  ASSERT_EQ(r->series.size(), 2u);
  EXPECT_EQ(r->series[0].labels.at("__name__"), "up");
  EXPECT_EQ(r->series[0].labels.at("instance"), "10.0.0.1:9901");
  ASSERT_EQ(r->series[0].samples.size(), 1u);
  EXPECT_EQ(r->series[0].samples[0].time, AtMs(1435781451781));
  EXPECT_DOUBLE_EQ(r->series[0].samples[0].value, 1.0);
  EXPECT_EQ(r->series[1].labels.size(), 1u);
  EXPECT_DOUBLE_EQ(r->series[1].samples[0].value, 0.25);
}

TEST(ResponseParserTest, EmptyVector) {
  const auto r = ParseQueryResponse(
      200, R"({"status":"success","data":{"resultType":"vector","result":[]}})", "q");
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->series.empty());
}

TEST(ResponseParserTest, MatrixKeepsEverySampleInOrder) {
  const auto r = ParseQueryResponse(200, R"({"status":"success","data":{"resultType":"matrix",
      "result":[{"metric":{"pod":"a"},"values":[[100,"1"],[115,"2"],[130,"3e2"]]},
                {"metric":{"pod":"b"},"values":[]}]}})",
                                    "q");
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  EXPECT_EQ(r->type, ResultType::kMatrix);
  ASSERT_EQ(r->series.size(), 2u);
  ASSERT_EQ(r->series[0].samples.size(), 3u);
  EXPECT_EQ(r->series[0].samples[1].time, AtMs(115000));
  EXPECT_DOUBLE_EQ(r->series[0].samples[2].value, 300.0);
  EXPECT_TRUE(r->series[1].samples.empty());
}

TEST(ResponseParserTest, ScalarResult) {
  const auto r = ParseQueryResponse(
      200, R"({"status":"success","data":{"resultType":"scalar","result":[1700000000.5,"-3.5"]}})",
      "q");
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  EXPECT_EQ(r->type, ResultType::kScalar);
  EXPECT_DOUBLE_EQ(r->scalar.value, -3.5);
  EXPECT_EQ(r->scalar.time, AtMs(1700000000500));
}

TEST(ResponseParserTest, StringResult) {
  const auto r = ParseQueryResponse(
      200, R"({"status":"success","data":{"resultType":"string","result":[1700000000,"hello 1"]}})",
      "q");
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  EXPECT_EQ(r->type, ResultType::kString);
  EXPECT_EQ(r->string_value, "hello 1");
}

TEST(ResponseParserTest, SpecialValuesNaNAndInfinities) {
  const auto r = ParseQueryResponse(200, R"({"status":"success","data":{"resultType":"matrix",
      "result":[{"metric":{},"values":[[1,"NaN"],[2,"+Inf"],[3,"-Inf"],[4,"1e-3"]]}]}})",
                                    "q");
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  const auto& s = r->series.at(0).samples;
  ASSERT_EQ(s.size(), 4u);
  EXPECT_TRUE(std::isnan(s[0].value));
  EXPECT_TRUE(std::isinf(s[1].value) && s[1].value > 0);
  EXPECT_TRUE(std::isinf(s[2].value) && s[2].value < 0);
  EXPECT_DOUBLE_EQ(s[3].value, 0.001);
}

TEST(ResponseParserTest, SampleValueSyntax) {
  EXPECT_DOUBLE_EQ(*ParseSampleValue("+2.5"), 2.5);
  EXPECT_DOUBLE_EQ(*ParseSampleValue("-0"), 0.0);
  EXPECT_FALSE(ParseSampleValue("").ok());
  EXPECT_FALSE(ParseSampleValue("12abc").ok());
  EXPECT_FALSE(ParseSampleValue("0x10").ok());
  EXPECT_FALSE(ParseSampleValue("1 2").ok());
}

TEST(ResponseParserTest, WarningsAreKept) {
  const auto r = ParseQueryResponse(200, R"({"status":"success","warnings":["partial response"],
      "data":{"resultType":"vector","result":[]}})",
                                    "q");
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->warnings.size(), 1u);
  EXPECT_EQ(r->warnings[0], "partial response");
}

TEST(ResponseParserTest, NativeHistogramPointsAreSkippedWithAWarning) {
  const auto r = ParseQueryResponse(200, R"({"status":"success","data":{"resultType":"vector",
      "result":[{"metric":{"a":"b"},"histogram":[1,{"count":"2","sum":"3"}]}]}})",
                                    "q");
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  ASSERT_EQ(r->series.size(), 1u);
  EXPECT_TRUE(r->series[0].samples.empty());
  EXPECT_FALSE(r->warnings.empty());
}

struct ApiErrorCase {
  const char* error_type;
  int http_status;
  const char* code;
  bool retryable;
};

class ApiErrorTest : public testing::TestWithParam<ApiErrorCase> {};

TEST_P(ApiErrorTest, MapsErrorTypeToCodeAndKind) {
  const auto& c = GetParam();
  const std::string body = std::string(R"({"status":"error","errorType":")") + c.error_type +
                           R"(","error":"something about it"})";
  const auto r = ParseQueryResponse(c.http_status, body, "query \"x\"");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, c.code);
  EXPECT_EQ(r.error().retryable(), c.retryable);
  EXPECT_EQ(r.error().http_status, c.http_status);
  EXPECT_NE(r.error().message.find("something about it"), std::string::npos);
  EXPECT_NE(r.error().message.find("query \"x\""), std::string::npos);
  EXPECT_NE(r.error().message.find(c.error_type), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(AllErrorTypes, ApiErrorTest,
                         testing::Values(ApiErrorCase{"bad_data", 400, "BadData", false},
                                         ApiErrorCase{"execution", 422, "Execution", false},
                                         ApiErrorCase{"not_found", 404, "NotFound", false},
                                         ApiErrorCase{"timeout", 503, "Timeout", true},
                                         ApiErrorCase{"canceled", 503, "Canceled", true},
                                         ApiErrorCase{"internal", 500, "Internal", true},
                                         ApiErrorCase{"unavailable", 503, "Unavailable", true},
                                         ApiErrorCase{"something_new", 502, "HttpError", true},
                                         ApiErrorCase{"something_new", 418, "HttpError", false}));

struct HttpErrorCase {
  int http_status;
  const char* code;
  bool retryable;
};

class HttpErrorTest : public testing::TestWithParam<HttpErrorCase> {};

TEST_P(HttpErrorTest, NonJsonBodiesAreClassifiedByStatus) {
  const auto& c = GetParam();
  const auto r = ParseQueryResponse(c.http_status, "<html>gateway says no</html>", "q");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, c.code);
  EXPECT_EQ(r.error().retryable(), c.retryable);
  EXPECT_NE(r.error().message.find("gateway says no"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(
    Statuses, HttpErrorTest,
    testing::Values(HttpErrorCase{401, "Unauthorized", false},
                    HttpErrorCase{403, "Forbidden", false}, HttpErrorCase{404, "NotFound", false},
                    HttpErrorCase{400, "HttpError", false}, HttpErrorCase{429, "HttpError", true},
                    HttpErrorCase{502, "HttpError", true}, HttpErrorCase{503, "HttpError", true}));

struct MalformedCase {
  const char* name;
  const char* body;
  const char* mentions;
};

class MalformedTest : public testing::TestWithParam<MalformedCase> {};

TEST_P(MalformedTest, IsATerminalInvalidResponseNamingWhere) {
  const auto& c = GetParam();
  const auto r = ParseQueryResponse(200, c.body, "q");
  ASSERT_FALSE(r.ok()) << c.name;
  EXPECT_EQ(r.error().code, "InvalidResponse");
  EXPECT_FALSE(r.error().retryable());
  EXPECT_NE(r.error().message.find(c.mentions), std::string::npos) << r.error().message;
}

INSTANTIATE_TEST_SUITE_P(
    Bodies, MalformedTest,
    testing::Values(
        MalformedCase{"not json", "hello", "not the API's JSON"},
        MalformedCase{"truncated", R"({"status":"success","data":{)", "not the API's JSON"},
        MalformedCase{"bad status", R"({"status":"maybe"})", "status is"},
        MalformedCase{"no data", R"({"status":"success"})", "no data"},
        MalformedCase{"unknown type",
                      R"({"status":"success","data":{"resultType":"tensor","result":[]}})",
                      "tensor"},
        MalformedCase{
            "value not a pair",
            R"({"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1]}]}})",
            "data.result[0].value"},
        MalformedCase{
            "value not numeric",
            R"({"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[1,"1"],[2,"x"]]}]}})",
            "data.result[0].values[1]"},
        MalformedCase{
            "label not string",
            R"({"status":"success","data":{"resultType":"vector","result":[{"metric":{"a":1},"value":[1,"1"]}]}})",
            "metric.a"},
        MalformedCase{
            "vector without value",
            R"({"status":"success","data":{"resultType":"vector","result":[{"metric":{}}]}})",
            "has no value"},
        MalformedCase{"scalar as object",
                      R"({"status":"success","data":{"resultType":"scalar","result":{}}})",
                      "data.result"}),
    [](const testing::TestParamInfo<MalformedCase>& info) {
      std::string name = info.param.name;
      for (auto& ch : name) {
        if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
      }
      return name;
    });

TEST(ResponseParserTest, ErrorWithNonStringFieldsDoesNotThrow) {
  const auto r = ParseQueryResponse(400, R"({"status":"error","errorType":5,"error":null})", "q");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "HttpError");
}

}  // namespace
}  // namespace kubeheal::prom
