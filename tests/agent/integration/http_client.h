#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>

namespace kubeheal::agent::testing {

struct HttpResult {
  bool ok = false;    // a complete response arrived
  std::string error;  // why not
  int status = 0;
  std::string body;
  std::map<std::string, std::string> headers;  // lower-case names
  bool chunked = false;
};

// A real HTTP/1.1 client (Beast) on one keep-alive connection to 127.0.0.1:port; reconnects
// when the server closed. Every call is bounded by `timeout`.
class HttpClient {
 public:
  explicit HttpClient(std::uint16_t port,
                      std::chrono::milliseconds timeout = std::chrono::seconds(10));
  ~HttpClient();

  HttpResult request(const std::string& method, const std::string& target,
                     const std::string& body = "",
                     const std::map<std::string, std::string>& headers = {}, bool chunked = false);
  HttpResult get(const std::string& target) { return request("GET", target); }
  std::uint64_t connectionsOpened() const { return connections_; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::uint64_t connections_ = 0;
};

// A plain TCP connection for what a well-behaved client never sends.
class RawConnection {
 public:
  explicit RawConnection(std::uint16_t port);
  ~RawConnection();
  bool connected() const { return fd_ >= 0; }
  bool send(const std::string& bytes);
  // Reads until the peer closes or `timeout`; what arrived.
  std::string readUntilClose(std::chrono::milliseconds timeout, bool* closed = nullptr,
                             bool* reset = nullptr);

 private:
  int fd_ = -1;
};

}  // namespace kubeheal::agent::testing
