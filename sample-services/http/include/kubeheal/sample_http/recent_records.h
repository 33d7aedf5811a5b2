#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <utility>
#include <vector>

namespace kubeheal::samples {

// The records a sample service keeps in memory (orders, payments), keyed by the `id` member
// this store hands out (1, 2, ...) and bounded: past `capacity` the oldest are forgotten, so a
// long load test does not grow the process without end. Thread-safe (one mutex).
template <typename Record>
class RecentRecords {
 public:
  explicit RecentRecords(std::size_t capacity = 100000) : capacity_(capacity) {}

  // Gives `record` the next id and stores it, under one lock; returns the stored record.
  Record Add(Record record) {
    std::lock_guard lock(mutex_);
    record.id = next_id_++;
    StoreLocked(record);
    return record;
  }
  // For a record that others must refer to before it is complete (an order's id goes to the
  // payments service first): the id now, Store() once the record is done.
  std::int64_t NextId() {
    std::lock_guard lock(mutex_);
    return next_id_++;
  }
  void Store(const Record& record) {
    std::lock_guard lock(mutex_);
    StoreLocked(record);
  }
  std::optional<Record> Get(std::int64_t id) const {
    std::lock_guard lock(mutex_);
    auto it = records_.find(id);
    if (it == records_.end()) return std::nullopt;
    return it->second;
  }
  // Newest first.
  std::vector<Record> Recent(std::size_t limit) const {
    std::lock_guard lock(mutex_);
    std::vector<Record> out;
    for (auto it = records_.rbegin(); it != records_.rend() && out.size() < limit; ++it) {
      out.push_back(it->second);
    }
    return out;
  }
  // Runs `change(record)` on the stored record `id` under the lock and returns what it returns;
  // nullopt when there is no such record.
  template <typename Change>
  auto Update(std::int64_t id, Change change)
      -> std::optional<decltype(change(std::declval<Record&>()))> {
    std::lock_guard lock(mutex_);
    auto it = records_.find(id);
    if (it == records_.end()) return std::nullopt;
    return change(it->second);
  }

 private:
  void StoreLocked(const Record& record) {
    records_[record.id] = record;
    while (records_.size() > capacity_) records_.erase(records_.begin());
  }

  std::size_t capacity_;
  mutable std::mutex mutex_;  // guards everything below
  std::map<std::int64_t, Record> records_;
  std::int64_t next_id_ = 1;
};

}  // namespace kubeheal::samples
