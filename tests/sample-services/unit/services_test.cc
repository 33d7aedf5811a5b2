// The business endpoints of users, payments and orders, driven through their Routers (no
// sockets), with the clock, randomness and dependency clients replaced.
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "kubeheal/common/fake_clock.h"
#include "kubeheal/common/scripted_random_source.h"
#include "kubeheal/sample_http/http_client.h"
#include "order_request.h"
#include "orders_api.h"
#include "payment_ledger.h"
#include "payments_api.h"
#include "user_store.h"
#include "users_api.h"

namespace kubeheal::samples {
namespace {

HttpResponse Call(const Router& router, const std::string& method, const std::string& path,
                  const std::string& body = "") {
  HttpRequest request{method, path, {}, {}, body};
  std::string route;
  return router.Dispatch(request, route);
}

nlohmann::json Json(const HttpResponse& r) { return nlohmann::json::parse(r.body); }

TEST(UserStore, CreateReadUpdateDeleteAndUniqueEmails) {
  UserStore store;
  User a, b, updated;
  ASSERT_EQ(store.Create("a", "a@x", a), UserStore::Outcome::kOk);
  ASSERT_EQ(store.Create("b", "b@x", b), UserStore::Outcome::kOk);
  EXPECT_EQ(store.Create("c", "a@x", updated), UserStore::Outcome::kEmailTaken);
  EXPECT_EQ(store.Update(b.id, std::nullopt, std::string("a@x"), updated),
            UserStore::Outcome::kEmailTaken);
  EXPECT_EQ(store.Update(b.id, std::string("bee"), std::string("bee@x"), updated),
            UserStore::Outcome::kOk);
  EXPECT_EQ(store.Get(b.id)->name, "bee");
  User c;
  EXPECT_EQ(store.Create("c", "b@x", c), UserStore::Outcome::kOk);  // b's old email is free
  EXPECT_TRUE(store.Remove(a.id));
  EXPECT_FALSE(store.Get(a.id).has_value());
  EXPECT_EQ(store.List(0, 10).size(), 2u);
}

TEST(UserStore, ConcurrentWritersAndReadersKeepEveryUser) {
  UserStore store;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&store, t] {
      for (int i = 0; i < 500; ++i) {
        User u;
        (void)store.Create("n", std::to_string(t) + "-" + std::to_string(i) + "@x", u);
        (void)store.Get(u.id);
        (void)store.List(0, 5);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(store.Size(), 2000u);
}

TEST(UsersApi, AnswersAndNamesBadFields) {
  UserStore store;
  Router router;
  AddUsersRoutes(router, store);
  HttpResponse created = Call(router, "POST", "/users", R"({"name":"Ann","email":"ann@x.org"})");
  ASSERT_EQ(created.status, 201);
  int id = Json(created)["id"];
  EXPECT_EQ(Json(Call(router, "GET", "/users/" + std::to_string(id)))["email"], "ann@x.org");
  EXPECT_EQ(Call(router, "POST", "/users", R"({"name":"B","email":"ann@x.org"})").status, 409);
  EXPECT_EQ(Json(Call(router, "POST", "/users", R"({"name":"B","email":"nope"})"))["field"],
            "email");
  EXPECT_EQ(Json(Call(router, "POST", "/users", R"({"email":"b@x"})"))["field"], "name");
  EXPECT_EQ(Json(Call(router, "POST", "/users", "not json"))["field"], "body");
  EXPECT_EQ(Json(Call(router, "GET", "/users/abc"))["field"], "id");
  EXPECT_EQ(Call(router, "GET", "/users/999").status, 404);
  EXPECT_EQ(Call(router, "PUT", "/users/" + std::to_string(id), R"({"name":"Anna"})").status, 200);
  EXPECT_EQ(Call(router, "PUT", "/users/" + std::to_string(id), R"({})").status, 400);
  HttpRequest list{"GET", "/users", {{"limit", "0"}}, {}, ""};
  std::string route;
  EXPECT_EQ(Json(router.Dispatch(list, route))["field"], "limit");
  EXPECT_EQ(Call(router, "DELETE", "/users/" + std::to_string(id)).status, 204);
  EXPECT_EQ(Call(router, "DELETE", "/users/" + std::to_string(id)).status, 404);
}

TEST(LatencyModel, MedianSlowCallsAndExtraDelay) {
  // u1 = 1 - 0.0 -> log(1) = 0 -> normal 0 -> exactly the median; third draw decides "slow".
  ScriptedRandomSource fast({0.0, 0.25, 0.5});
  LatencyModel model({std::chrono::microseconds(5000), 0.5, 0.1, std::chrono::microseconds(200000)},
                     fast);
  EXPECT_EQ(model.Next().count(), 5000);
  model.SetExtraDelay(std::chrono::milliseconds(300));
  EXPECT_EQ(model.Next().count(), 305000);

  ScriptedRandomSource slow({0.0, 0.25, 0.05});
  LatencyModel slow_model(
      {std::chrono::microseconds(5000), 0.5, 0.1, std::chrono::microseconds(200000)}, slow);
  EXPECT_EQ(slow_model.Next().count(), 205000);
}

TEST(PaymentsApi, AuthorisesAfterTheModelledDelayAndValidates) {
  FakeClock clock;
  clock.SetAdvanceOnSleep(true);
  ScriptedRandomSource random({0.0, 0.25, 0.5});
  LatencyModel latency({std::chrono::microseconds(7000), 0.5, 0.0, {}}, random);
  PaymentLedger ledger;
  Router router;
  AddPaymentsRoutes(router, {ledger, latency, clock, /*test_knobs=*/true});
  auto before = clock.SteadyNow();
  HttpResponse paid =
      Call(router, "POST", "/payments", R"({"order_id":3,"amount":12.5,"currency":"EUR"})");
  ASSERT_EQ(paid.status, 201);
  EXPECT_EQ(clock.SteadyNow() - before, std::chrono::microseconds(7000));
  int id = Json(paid)["id"];
  EXPECT_EQ(Json(Call(router, "GET", "/payments/" + std::to_string(id)))["status"], "authorized");
  EXPECT_EQ(Call(router, "POST", "/payments/" + std::to_string(id) + "/refund").status, 200);
  EXPECT_EQ(Call(router, "POST", "/payments/" + std::to_string(id) + "/refund").status, 409);
  EXPECT_EQ(Json(Call(router, "POST", "/payments",
                      R"({"order_id":3,"amount":0,"currency":"EUR"})"))["field"],
            "amount");
  EXPECT_EQ(Json(Call(router, "POST", "/payments",
                      R"({"order_id":3,"amount":1,"currency":"eur"})"))["field"],
            "currency");

  ASSERT_EQ(Call(router, "PUT", "/admin/slowdown", R"({"extra_ms":250})").status, 200);
  before = clock.SteadyNow();
  ASSERT_EQ(
      Call(router, "POST", "/payments", R"({"order_id":4,"amount":1,"currency":"USD"})").status,
      201);
  EXPECT_EQ(clock.SteadyNow() - before, std::chrono::microseconds(257000));
}

TEST(PaymentsApi, TestKnobsAreOffUnlessAsked) {
  FakeClock clock;
  clock.SetAdvanceOnSleep(true);
  ScriptedRandomSource random({0.5});
  LatencyModel latency({}, random);
  PaymentLedger ledger;
  Router router;
  AddPaymentsRoutes(router, {ledger, latency, clock, false});
  EXPECT_EQ(Call(router, "PUT", "/admin/slowdown", R"({"extra_ms":250})").status, 404);
}

TEST(OrderRequest, ValidatesNestedItemsWithTheirPath) {
  auto ok =
      ParseOrderRequest(R"({"user_id":1,"items":[{"sku":"a","quantity":2,"unit_price":1.5}]})");
  ASSERT_TRUE(ok.ok());
  EXPECT_DOUBLE_EQ(ok.value->Total(), 3.0);
  EXPECT_EQ(ok.value->currency, "EUR");
  EXPECT_EQ(ParseOrderRequest(R"({"user_id":1,"items":[]})").error.field, "items");
  EXPECT_EQ(
      ParseOrderRequest(
          R"({"user_id":1,"items":[{"sku":"a","quantity":1,"unit_price":1},{"sku":"b","quantity":"2","unit_price":1}]})")
          .error.field,
      "items[1].quantity");
  EXPECT_EQ(ParseOrderRequest(R"({"items":[]})").error.field, "user_id");
  EXPECT_EQ(ParseOrderRequest(
                R"({"user_id":1,"currency":"E","items":[{"sku":"a","quantity":1,"unit_price":1}]})")
                .error.field,
            "currency");
}

class MockHttpClient : public HttpClient {
 public:
  MOCK_METHOD(Result<ClientResponse>, Send, (const ClientRequest&), (override));
};

constexpr const char* kOrder =
    R"({"user_id":7,"items":[{"sku":"a","quantity":2,"unit_price":10}]})";

TEST(OrdersApi, ChecksTheUserScoresAndPays) {
  OrderBook book;
  MockHttpClient users, payments;
  EXPECT_CALL(users, Send(::testing::Field(&ClientRequest::target, "/users/7")))
      .WillOnce(::testing::Return(ClientResponse{200, R"({"id":7})"}));
  EXPECT_CALL(payments, Send(::testing::Field(&ClientRequest::target, "/payments")))
      .WillOnce([](const ClientRequest& r) -> Result<ClientResponse> {
        auto body = nlohmann::json::parse(r.body);
        EXPECT_DOUBLE_EQ(body["amount"].get<double>(), 20.0);
        return ClientResponse{201, R"({"id":55})"};
      });
  Router router;
  AddOrdersRoutes(router, {book, &users, &payments, 1, std::chrono::milliseconds(100)});
  HttpResponse placed = Call(router, "POST", "/orders", kOrder);
  ASSERT_EQ(placed.status, 201) << placed.body;
  EXPECT_EQ(Json(placed)["payment_id"], 55);
  int id = Json(placed)["id"];
  EXPECT_EQ(Json(Call(router, "GET", "/orders/" + std::to_string(id)))["total"], 20.0);
  EXPECT_EQ(Json(Call(router, "GET", "/orders"))["items"].size(), 1u);
}

TEST(OrdersApi, DependencyFailuresNameTheDependency) {
  OrderBook book;
  MockHttpClient users, payments;
  Router router;
  AddOrdersRoutes(router, {book, &users, &payments, 1, std::chrono::milliseconds(100)});

  EXPECT_CALL(users, Send(::testing::_)).WillOnce(::testing::Return(ClientResponse{404, "{}"}));
  HttpResponse unknown_user = Call(router, "POST", "/orders", kOrder);
  EXPECT_EQ(unknown_user.status, 422);
  EXPECT_EQ(Json(unknown_user)["field"], "user_id");

  EXPECT_CALL(users, Send(::testing::_))
      .WillRepeatedly(::testing::Return(ClientResponse{200, "{}"}));
  EXPECT_CALL(payments, Send(::testing::_))
      .WillOnce(
          ::testing::Return(Error::Retryable("Timeout", "POST http://p:1/payments: timed out")));
  HttpResponse timed_out = Call(router, "POST", "/orders", kOrder);
  EXPECT_EQ(timed_out.status, 502);
  EXPECT_EQ(Json(timed_out)["dependency"], "payments");
  EXPECT_EQ(Json(Call(router, "POST", "/orders", R"({"user_id":1})"))["field"], "items");
}

TEST(OrdersApi, QuoteNeedsNoDependency) {
  OrderBook book;
  Router router;
  AddOrdersRoutes(router, {book, nullptr, nullptr, 1, std::chrono::milliseconds(100)});
  HttpResponse quote = Call(router, "POST", "/orders/quote", kOrder);
  ASSERT_EQ(quote.status, 200);
  EXPECT_EQ(Json(quote)["total"], 20.0);
}

TEST(PaymentLedgerTest, AuthorizeNumbersPaymentsInOrderAndForgetsTheOldestPastCapacity) {
  PaymentLedger ledger(2);
  EXPECT_EQ(ledger.Authorize(10, 1.0, "EUR").id, 1);
  EXPECT_EQ(ledger.Authorize(11, 2.0, "EUR").id, 2);
  const Payment third = ledger.Authorize(12, 3.0, "EUR");
  EXPECT_EQ(third.id, 3);
  EXPECT_EQ(third.status, "authorized");
  EXPECT_FALSE(ledger.Get(1).has_value());
  ASSERT_TRUE(ledger.Get(3).has_value());
  EXPECT_EQ(ledger.Get(3)->order_id, 12);
  Payment refunded;
  EXPECT_EQ(ledger.Refund(3, refunded), PaymentLedger::RefundOutcome::kRefunded);
  EXPECT_EQ(ledger.Refund(3, refunded), PaymentLedger::RefundOutcome::kAlreadyRefunded);
  EXPECT_EQ(ledger.Refund(1, refunded), PaymentLedger::RefundOutcome::kNotFound);
}

}  // namespace
}  // namespace kubeheal::samples
