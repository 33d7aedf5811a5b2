#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "kubeheal/sample_http/flag_set.h"
#include "kubeheal/sample_http/json_request.h"
#include "kubeheal/sample_http/openapi_document.h"
#include "kubeheal/sample_http/process_metrics_collector.h"
#include "kubeheal/sample_http/router.h"
#include "kubeheal/sample_http/service_metrics.h"
#include "kubeheal/sample_http/url.h"

namespace kubeheal::samples {
namespace {

TEST(FlagSet, ParsesBothSpellingsAndRejectsUnknownFlags) {
  FlagSet flags("t");
  flags.Define("listen", "0.0.0.0:1", "");
  flags.Define("rate", "5", "");
  flags.DefineBool("quiet", "");
  ASSERT_TRUE(flags.Parse({"--listen", "127.0.0.1:9", "--rate=7", "--quiet", "pos"}).ok());
  EXPECT_EQ(flags.Get("listen"), "127.0.0.1:9");
  EXPECT_EQ(*flags.GetInt("rate", 0, 10), 7);
  EXPECT_TRUE(flags.GetBool("quiet"));
  EXPECT_EQ(flags.positional(), std::vector<std::string>{"pos"});

  FlagSet other("t");
  other.Define("rate", "5", "");
  auto unknown = other.Parse({"--nope", "1"});
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.error().message.find("--nope"), std::string::npos);
  auto missing = other.Parse({"--rate"});
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("needs a value"), std::string::npos);
}

TEST(FlagSet, EnvironmentFillsFlagsAndCommandLineWins) {
  EXPECT_EQ(FlagSet::EnvName("payments-url"), "KUBEHEAL_PAYMENTS_URL");
  setenv("KUBEHEAL_SAMPLE_TEST_FLAG", "from-env", 1);
  FlagSet flags("t");
  flags.Define("sample-test-flag", "default", "");
  EXPECT_EQ(flags.Get("sample-test-flag"), "from-env");
  ASSERT_TRUE(flags.Parse({"--sample-test-flag=cli"}).ok());
  EXPECT_EQ(flags.Get("sample-test-flag"), "cli");
  unsetenv("KUBEHEAL_SAMPLE_TEST_FLAG");
}

TEST(FlagSet, RangeAndDurationErrorsNameTheFlag) {
  FlagSet flags("t");
  flags.Define("threads", "0", "");
  flags.Define("wait", "3x", "");
  auto threads = flags.GetInt("threads", 1, 8);
  ASSERT_FALSE(threads.ok());
  EXPECT_NE(threads.error().message.find("--threads"), std::string::npos);
  auto wait = flags.GetSeconds("wait");
  ASSERT_FALSE(wait.ok());
  EXPECT_NE(wait.error().message.find("--wait"), std::string::npos);
  EXPECT_DOUBLE_EQ(*ParseDurationSeconds("250ms"), 0.25);
  EXPECT_DOUBLE_EQ(*ParseDurationSeconds("2m"), 120);
  EXPECT_DOUBLE_EQ(*ParseDurationSeconds("1.5"), 1.5);
  EXPECT_FALSE(ParseDurationSeconds("-1s").ok());
}

TEST(Url, ParsesHttpUrlsAndListenAddresses) {
  auto url = ParseHttpUrl("http://payments:8080/api/");
  ASSERT_TRUE(url.ok());
  EXPECT_EQ(url->host, "payments");
  EXPECT_EQ(url->port, "8080");
  EXPECT_EQ(url->base_path, "/api");
  EXPECT_EQ(ParseHttpUrl("http://users")->port, "80");
  EXPECT_FALSE(ParseHttpUrl("https://x:1").ok());
  EXPECT_FALSE(ParseHttpUrl("http://x:99999").ok());
  EXPECT_FALSE(ParseHttpUrl("http://:80").ok());

  auto any = ParseHostPort(":8081");
  ASSERT_TRUE(any.ok());
  EXPECT_EQ(any->host, "0.0.0.0");
  EXPECT_EQ(any->port, 8081);
  EXPECT_FALSE(ParseHostPort("8081").ok());
  EXPECT_EQ(PercentDecode("a%20b+c%zz"), "a b c%zz");
}

TEST(Router, MatchesPatternsAndReportsRouteLabel) {
  Router router;
  router.Add("GET", "/users/{id}", [](const HttpRequest& r) {
    return HttpResponse{200, "text/plain", r.path_params.at("id")};
  });
  router.Add("POST", "/boom",
             [](const HttpRequest&) -> HttpResponse { throw std::runtime_error("kaput"); });
  std::string route;
  HttpRequest get{"GET", "/users/42", {}, {}, ""};
  HttpResponse ok = router.Dispatch(get, route);
  EXPECT_EQ(ok.status, 200);
  EXPECT_EQ(ok.body, "42");
  EXPECT_EQ(route, "/users/{id}");

  HttpRequest wrong_method{"DELETE", "/users/1", {}, {}, ""};
  EXPECT_EQ(router.Dispatch(wrong_method, route).status, 405);
  HttpRequest unknown{"GET", "/nope", {}, {}, ""};
  EXPECT_EQ(router.Dispatch(unknown, route).status, 404);
  EXPECT_EQ(route, "unmatched");
  HttpRequest boom{"POST", "/boom", {}, {}, ""};
  HttpResponse error = router.Dispatch(boom, route);
  EXPECT_EQ(error.status, 500);
  EXPECT_NE(error.body.find("kaput"), std::string::npos);
}

TEST(JsonRequest, ErrorsNameTheField) {
  EXPECT_EQ(ParseJsonObject("{").error.field, "body");
  EXPECT_EQ(ParseJsonObject("[1]").error.field, "body");
  auto body = nlohmann::json::parse(R"({"n": "x", "i": 1.5, "s": 3})");
  EXPECT_EQ(RequireInteger(body, "i", 0, 9).error.field, "i");
  EXPECT_EQ(RequireInteger(body, "missing", 0, 9).error.field, "missing");
  EXPECT_EQ(RequireString(body, "s", 1, 9).error.field, "s");
  EXPECT_EQ(*RequireString(body, "n", 1, 9).value, "x");
  EXPECT_EQ(ParseIntegerText("12a", "id", 1, 99).error.field, "id");
  EXPECT_EQ(*ParseIntegerText("12", "id", 1, 99).value, 12);
  HttpResponse response = FieldErrorResponse({"bad", "items[0].sku"});
  EXPECT_EQ(response.status, 400);
  EXPECT_EQ(nlohmann::json::parse(response.body)["field"], "items[0].sku");
}

TEST(OpenApiDocument, DescribesStandardAndAddedOperations) {
  OpenApiDocument doc("svc", "d");
  doc.Operation("GET", "/things/{id}", "one", {{"200", "ok"}, {"404", "none"}});
  auto json = nlohmann::json::parse(doc.Dump());
  EXPECT_EQ(json["openapi"], "3.0.3");
  EXPECT_TRUE(json["paths"].contains("/health"));
  EXPECT_TRUE(json["paths"].contains("/metrics"));
  auto op = json["paths"]["/things/{id}"]["get"];
  EXPECT_EQ(op["parameters"][0]["name"], "id");
  EXPECT_EQ(op["responses"]["404"]["content"]["application/json"]["schema"]["$ref"],
            "#/components/schemas/Error");
}

TEST(ServiceMetrics, RendersRequestAndProcessMetrics) {
  ServiceMetrics metrics("svc");
  metrics.ObserveRequest("/users/{id}", "GET", 200, 0.003);
  std::string text = metrics.Render();
  EXPECT_NE(text.find("http_requests_total{"), std::string::npos);
  EXPECT_NE(text.find("route=\"/users/{id}\""), std::string::npos);
  EXPECT_NE(text.find("http_request_duration_seconds_bucket{"), std::string::npos);
  EXPECT_NE(text.find("process_resident_memory_bytes "), std::string::npos);
  EXPECT_NE(text.find("process_cpu_seconds_total "), std::string::npos);
}

TEST(ProcessMetricsCollector, MissingProcDirGivesNoMetricsNotACrash) {
  ProcessMetricsCollector collector(ProcFsLayout{.proc_root = "/nonexistent/proc"});
  EXPECT_TRUE(collector.Collect().empty());
}

}  // namespace
}  // namespace kubeheal::samples
