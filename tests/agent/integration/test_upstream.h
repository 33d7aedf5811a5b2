#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace kubeheal::agent::testing {

// A real HTTP/1.1 server on 127.0.0.1 (random port) standing in for the app behind the agent.
// One thread per connection, keep-alive. Routes:
//   /status/N      answers status N
//   /slow?ms=N     waits N ms, then 200
//   /bytes?n=N     N bytes with Content-Length
//   /chunked?n=N   N bytes, chunked
//   /echo          the request body back (chunked if the request was)
//   /headers       the X-Forwarded-For it received
//   anything else  200 "ok\n"
class TestUpstream {
 public:
  TestUpstream();
  ~TestUpstream();

  std::uint16_t port() const { return port_; }
  std::uint64_t connectionsAccepted() const { return accepted_.load(); }
  std::uint64_t requestsServed() const { return served_.load(); }
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::uint16_t port_ = 0;
  std::atomic<std::uint64_t> accepted_{0};
  std::atomic<std::uint64_t> served_{0};
};

// The byte at `index` of the bodies /bytes and /chunked send.
inline char patternByte(std::uint64_t index) { return static_cast<char>('a' + index % 26); }

}  // namespace kubeheal::agent::testing
