#include "user_store.h"

#include <mutex>

namespace kubeheal::samples {

UserStore::Outcome UserStore::Create(const std::string& name, const std::string& email,
                                     User& created) {
  std::unique_lock lock(mutex_);
  if (id_by_email_.count(email)) return Outcome::kEmailTaken;
  created = User{next_id_++, name, email};
  users_[created.id] = created;
  id_by_email_[email] = created.id;
  return Outcome::kOk;
}

std::optional<User> UserStore::Get(std::int64_t id) const {
  std::shared_lock lock(mutex_);
  auto it = users_.find(id);
  if (it == users_.end()) return std::nullopt;
  return it->second;
}

UserStore::Outcome UserStore::Update(std::int64_t id, const std::optional<std::string>& name,
                                     const std::optional<std::string>& email, User& updated) {
  std::unique_lock lock(mutex_);
  auto it = users_.find(id);
  if (it == users_.end()) return Outcome::kNotFound;
  if (email && *email != it->second.email) {
    if (id_by_email_.count(*email)) return Outcome::kEmailTaken;
    id_by_email_.erase(it->second.email);
    id_by_email_[*email] = id;
    it->second.email = *email;
  }
  if (name) it->second.name = *name;
  updated = it->second;
  return Outcome::kOk;
}

bool UserStore::Remove(std::int64_t id) {
  std::unique_lock lock(mutex_);
  auto it = users_.find(id);
  if (it == users_.end()) return false;
  id_by_email_.erase(it->second.email);
  users_.erase(it);
  return true;
}

std::vector<User> UserStore::List(size_t offset, size_t limit) const {
  std::shared_lock lock(mutex_);
  std::vector<User> out;
  auto it = users_.begin();
  for (size_t skipped = 0; it != users_.end() && skipped < offset; ++skipped) ++it;
  for (; it != users_.end() && out.size() < limit; ++it) out.push_back(it->second);
  return out;
}

size_t UserStore::Size() const {
  std::shared_lock lock(mutex_);
  return users_.size();
}

}  // namespace kubeheal::samples
