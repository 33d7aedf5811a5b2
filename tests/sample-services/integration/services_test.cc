// The three services as real processes on loopback: every endpoint answers, bad input is a 400
// naming the field, and SIGTERM ends them cleanly.
#include <gtest/gtest.h>

#include "http_test_client.h"
#include "service_process.h"

namespace kubeheal::samples::testing {
namespace {

class SampleServices : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    ASSERT_TRUE(users_.Start("users", {"--seed-users", "10"}, error)) << error;
    ASSERT_TRUE(payments_.Start("payments", {"--latency", "1ms", "--slow-percent", "0"}, error))
        << error;
    ASSERT_TRUE(orders_.Start(
        "orders",
        {"--users-url", users_.url(), "--payments-url", payments_.url(), "--work-units", "100"},
        error))
        << error;
  }

  ServiceProcess users_, payments_, orders_;
};

TEST_F(SampleServices, HealthMetricsAndDocsOnEveryService) {
  struct Expect {
    ServiceProcess* process;
    std::string name;
    std::string business_path;
  };
  for (const Expect& e :
       {Expect{&users_, "users", "/users/{id}"}, Expect{&payments_, "payments", "/payments"},
        Expect{&orders_, "orders", "/orders"}}) {
    SCOPED_TRACE(e.name);
    Answer health = Request(e.process->port(), "GET", "/health");
    ASSERT_EQ(health.status, 200) << health.error;
    EXPECT_EQ(health.Json()["service"], e.name);

    Answer metrics = Request(e.process->port(), "GET", "/metrics");
    ASSERT_EQ(metrics.status, 200);
    EXPECT_NE(metrics.body.find("process_cpu_seconds_total "), std::string::npos);
    EXPECT_NE(metrics.body.find("process_resident_memory_bytes "), std::string::npos);
    // The /health call above was counted, under its route pattern.
    EXPECT_NE(metrics.body.find("route=\"/health\""), std::string::npos);

    Answer docs = Request(e.process->port(), "GET", "/docs");
    ASSERT_EQ(docs.status, 200);
    nlohmann::json openapi = docs.Json();
    ASSERT_TRUE(openapi.is_object()) << docs.body;
    EXPECT_EQ(openapi["openapi"].get<std::string>().substr(0, 2), "3.");
    EXPECT_TRUE(openapi["paths"].contains(e.business_path));
  }
}

TEST_F(SampleServices, UsersReadsAndWrites) {
  Answer created =
      Request(users_.port(), "POST", "/users", R"({"name":"Zoe","email":"zoe@x.org"})");
  ASSERT_EQ(created.status, 201) << created.body;
  int id = created.Json()["id"];
  EXPECT_EQ(id, 11);  // after the 10 seeded users
  EXPECT_EQ(Request(users_.port(), "GET", "/users/11").Json()["name"], "Zoe");
  EXPECT_EQ(Request(users_.port(), "GET", "/users?limit=5").Json()["items"].size(), 5u);
  EXPECT_EQ(Request(users_.port(), "PUT", "/users/11", R"({"name":"Zoé"})").status, 200);
  EXPECT_EQ(Request(users_.port(), "DELETE", "/users/11").status, 204);
  EXPECT_EQ(Request(users_.port(), "GET", "/users/11").status, 404);
}

TEST_F(SampleServices, OrdersCallsUsersAndPayments) {
  Answer placed = Request(orders_.port(), "POST", "/orders",
                          R"({"user_id":3,"items":[{"sku":"A","quantity":2,"unit_price":4.25}]})");
  ASSERT_EQ(placed.status, 201) << placed.body;
  nlohmann::json order = placed.Json();
  EXPECT_EQ(order["total"], 8.5);
  int payment_id = order["payment_id"];
  Answer payment = Request(payments_.port(), "GET", "/payments/" + std::to_string(payment_id));
  ASSERT_EQ(payment.status, 200);
  EXPECT_EQ(payment.Json()["order_id"], order["id"]);
  EXPECT_EQ(Request(orders_.port(), "GET", "/orders/" + order["id"].dump()).status, 200);

  Answer no_user = Request(orders_.port(), "POST", "/orders",
                           R"({"user_id":999,"items":[{"sku":"A","quantity":1,"unit_price":1}]})");
  EXPECT_EQ(no_user.status, 422);
  EXPECT_EQ(no_user.Json()["field"], "user_id");
}

TEST_F(SampleServices, BadInputIs400NamingTheField) {
  struct Case {
    unsigned short port;
    std::string method, target, body, field;
  };
  for (const Case& c : {
           Case{orders_.port(), "POST", "/orders", "{", "body"},
           Case{orders_.port(), "POST", "/orders",
                R"({"user_id":1,"items":[{"sku":"A","quantity":-1,"unit_price":1}]})",
                "items[0].quantity"},
           Case{orders_.port(), "GET", "/orders/x", "", "id"},
           Case{payments_.port(), "POST", "/payments", R"({"order_id":1,"amount":5})", "currency"},
           Case{users_.port(), "POST", "/users", R"({"name":"","email":"a@b"})", "name"},
           Case{users_.port(), "GET", "/users?offset=-4", "", "offset"},
       }) {
    SCOPED_TRACE(c.method + " " + c.target + " " + c.body);
    Answer answer = Request(c.port, c.method, c.target, c.body);
    EXPECT_EQ(answer.status, 400);
    EXPECT_EQ(answer.Json()["field"], c.field);
  }
  EXPECT_EQ(Request(users_.port(), "GET", "/nope").status, 404);
}

TEST_F(SampleServices, SigtermExitsCleanly) {
  EXPECT_EQ(orders_.Stop(), 0) << orders_.log();
  EXPECT_EQ(payments_.Stop(), 0) << payments_.log();
  EXPECT_EQ(users_.Stop(), 0) << users_.log();
  EXPECT_NE(users_.log().find("stopped"), std::string::npos);
}

TEST(SampleServiceFlags, BadFlagsExitWithStatus2NamingTheFlag) {
  EXPECT_TRUE(ExitsWith(2, BinDir() + "/orders --bogus 1", "--bogus"));
  EXPECT_TRUE(ExitsWith(2, BinDir() + "/orders --payments-url ftp://x", "--payments-url"));
  EXPECT_TRUE(ExitsWith(2, BinDir() + "/payments --latency fast", "--latency"));
  EXPECT_TRUE(ExitsWith(2, BinDir() + "/users --listen nowhere", "nowhere"));
  EXPECT_TRUE(ExitsWith(2, "KUBEHEAL_THREADS=0 " + BinDir() + "/users", "--threads"));
}

}  // namespace
}  // namespace kubeheal::samples::testing
