#pragma once

#include <string>

namespace kubeheal::prom::testing_support {

// A loopback TCP port free at the time of the call (bound to port 0, then released).
int FreeLoopbackPort();

// A loopback port that accepts connections (kernel backlog) but never answers: a server that
// hangs. Closed on destruction. Owned by the test thread.
class SilentListener {
 public:
  SilentListener();
  ~SilentListener();
  SilentListener(const SilentListener&) = delete;
  SilentListener& operator=(const SilentListener&) = delete;
  int port() const { return port_; }

 private:
  int fd_ = -1;
  int port_ = 0;
};

// A fresh directory under $TMPDIR (or /tmp), removed with its content on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace kubeheal::prom::testing_support
