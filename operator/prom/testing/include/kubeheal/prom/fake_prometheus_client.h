#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "kubeheal/prom/prometheus_client.h"

namespace kubeheal::prom {

// Test double for code that queries Prometheus (controllers). Answers are programmed per
// expression; an unprogrammed expression answers an empty vector. Every call is recorded.
// Thread-safe: tests program it on their thread while the code under test queries on its own.
class FakePrometheusClient final : public PrometheusClient {
 public:
  void SetResult(const std::string& expr, Result<QueryResult> result) {
    std::lock_guard lock(mu_);
    results_.insert_or_assign(expr, std::move(result));
  }
  // Instant vector with one series per value (labels left empty unless given).
  void SetValue(const std::string& expr, double value,
                std::map<std::string, std::string> labels = {}) {
    QueryResult r;
    r.type = ResultType::kVector;
    r.series.push_back(Series{std::move(labels), {Sample{{}, value}}});
    SetResult(expr, std::move(r));
  }
  // The answer of range queries (the detectors' warm-up) for this expression; without one a
  // range query gets the instant answer.
  void SetRangeResult(const std::string& expr, Result<QueryResult> result) {
    std::lock_guard lock(mu_);
    range_results_.insert_or_assign(expr, std::move(result));
  }
  // Every query fails with this error (e.g. Prometheus down); Clear() undoes it.
  void FailAll(Error error) {
    std::lock_guard lock(mu_);
    fail_all_ = std::move(error);
    failing_ = true;
  }
  void Clear() {
    std::lock_guard lock(mu_);
    results_.clear();
    range_results_.clear();
    failing_ = false;
  }
  std::vector<std::string> Calls() const {
    std::lock_guard lock(mu_);
    return calls_;
  }

  // The server-side timeout each call asked for, in call order.
  std::vector<std::chrono::milliseconds> Timeouts() const {
    std::lock_guard lock(mu_);
    return timeouts_;
  }

  Result<QueryResult> Query(const InstantQuery& query) override {
    return Answer(query.expr, query.timeout, false);
  }
  Result<QueryResult> QueryRange(const RangeQuery& query) override {
    return Answer(query.expr, query.timeout, true);
  }

 private:
  Result<QueryResult> Answer(const std::string& expr, std::chrono::milliseconds timeout,
                             bool range) {
    std::lock_guard lock(mu_);
    calls_.push_back(expr);
    timeouts_.push_back(timeout);
    if (failing_) return fail_all_;
    if (range) {
      if (const auto it = range_results_.find(expr); it != range_results_.end()) return it->second;
    }
    const auto it = results_.find(expr);
    if (it == results_.end()) return QueryResult{};
    return it->second;
  }

  mutable std::mutex mu_;
  std::map<std::string, Result<QueryResult>> results_;
  std::map<std::string, Result<QueryResult>> range_results_;
  std::vector<std::string> calls_;
  std::vector<std::chrono::milliseconds> timeouts_;
  Error fail_all_;
  bool failing_ = false;
};

}  // namespace kubeheal::prom
