#pragma once

#include <ctime>
#include <mutex>
#include <string>

#include "kubeheal/agent/token_verifier.h"

namespace kubeheal::agent {

// The token is the content of a file (whitespace trimmed), re-read when the file's modification
// time changes so a rotated Secret works without a restart. Used by the admin thread only;
// the mutex makes it safe anyway.
class FileTokenVerifier final : public TokenVerifier {
 public:
  explicit FileTokenVerifier(std::string path);
  Verdict verify(std::string_view authorization) override;

 private:
  std::string path_;
  std::mutex mutex_;
  std::string token_;         // guarded by mutex_
  struct timespec mtime_ {};  // guarded by mutex_
  bool loaded_ = false;       // guarded by mutex_
};

}  // namespace kubeheal::agent
