#pragma once

#include <atomic>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

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

// A loopback HTTP server that misbehaves on purpose: each connection is read up to the end of
// its request (headers and Content-Length body), then handed to `respond`, which writes what
// it likes with Send() (raw bytes: headers, a trickle, a flood) and may check stopping(). One
// thread per connection; the destructor stops and joins them all.
class ScriptedServer {
 public:
  class Connection {
   public:
    // false once the peer closed the connection or the server is stopping.
    bool Send(const std::string& bytes);
    bool stopping() const { return server_->stop_; }
    size_t bytes_sent() const { return sent_; }

   private:
    friend class ScriptedServer;
    Connection(ScriptedServer* server, int fd) : server_(server), fd_(fd) {}
    ScriptedServer* server_;
    int fd_;
    size_t sent_ = 0;
  };
  explicit ScriptedServer(std::function<void(Connection&)> respond);
  ~ScriptedServer();
  ScriptedServer(const ScriptedServer&) = delete;
  ScriptedServer& operator=(const ScriptedServer&) = delete;

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  // Connections being handled right now, and the most there were at once.
  int active() const { return active_; }
  int most_active() const { return most_active_; }
  // Bytes each finished connection sent, in the order they ended.
  std::vector<size_t> sent_per_connection() const;

 private:
  void Accept();
  void Handle(int fd);

  std::function<void(Connection&)> respond_;
  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> active_{0};
  std::atomic<int> most_active_{0};
  mutable std::mutex mu_;
  std::vector<std::thread> workers_;
  std::vector<size_t> sent_;
  std::thread acceptor_;
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
