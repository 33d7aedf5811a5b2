#pragma once

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
  // Every query fails with this error (e.g. Prometheus down); Clear() undoes it.
  void FailAll(Error error) {
    std::lock_guard lock(mu_);
    fail_all_ = std::move(error);
    failing_ = true;
  }
  void Clear() {
    std::lock_guard lock(mu_);
    results_.clear();
    failing_ = false;
  }
  std::vector<std::string> Calls() const {
    std::lock_guard lock(mu_);
    return calls_;
  }

  Result<QueryResult> Query(const InstantQuery& query) override { return Answer(query.expr); }
  Result<QueryResult> QueryRange(const RangeQuery& query) override { return Answer(query.expr); }

 private:
  Result<QueryResult> Answer(const std::string& expr) {
    std::lock_guard lock(mu_);
    calls_.push_back(expr);
    if (failing_) return fail_all_;
    const auto it = results_.find(expr);
    if (it == results_.end()) return QueryResult{};
    return it->second;
  }

  mutable std::mutex mu_;
  std::map<std::string, Result<QueryResult>> results_;
  std::vector<std::string> calls_;
  Error fail_all_;
  bool failing_ = false;
};

}  // namespace kubeheal::prom
