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

  // Ids are handed out before a record is stored, so related records can refer to it first.
  std::int64_t NextId() {
    std::lock_guard lock(mutex_);
    return next_id_++;
  }
  void Store(const Record& record) {
    std::lock_guard lock(mutex_);
    records_[record.id] = record;
    while (records_.size() > capacity_) records_.erase(records_.begin());
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
  std::size_t capacity_;
  mutable std::mutex mutex_;  // guards everything below
  std::map<std::int64_t, Record> records_;
  std::int64_t next_id_ = 1;
};

}  // namespace kubeheal::samples
