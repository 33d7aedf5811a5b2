#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <shared_mutex>
#include <string>
#include <vector>

namespace kubeheal::samples {

struct User {
  std::int64_t id = 0;
  std::string name;
  std::string email;
};

// The users service's in-memory store. Thread-safe: readers share, writers exclude (a
// shared_mutex), so a read-heavy mix scales across the server's threads.
class UserStore {
 public:
  enum class Outcome { kOk, kNotFound, kEmailTaken };

  // kEmailTaken when another user already has the email.
  Outcome Create(const std::string& name, const std::string& email, User& created);
  std::optional<User> Get(std::int64_t id) const;
  // Empty optionals leave a field unchanged.
  Outcome Update(std::int64_t id, const std::optional<std::string>& name,
                 const std::optional<std::string>& email, User& updated);
  bool Remove(std::int64_t id);
  std::vector<User> List(size_t offset, size_t limit) const;
  size_t Size() const;

 private:
  mutable std::shared_mutex mutex_;  // guards everything below
  std::map<std::int64_t, User> users_;
  std::map<std::string, std::int64_t> id_by_email_;
  std::int64_t next_id_ = 1;
};

}  // namespace kubeheal::samples
