#include "loopback.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>

namespace kubeheal::prom::testing_support {
namespace {

int BoundLoopbackSocket(int* port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw std::runtime_error("socket() failed");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    throw std::runtime_error("bind(127.0.0.1:0) failed");
  }
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  *port = ntohs(addr.sin_port);
  return fd;
}

}  // namespace

int FreeLoopbackPort() {
  int port = 0;
  ::close(BoundLoopbackSocket(&port));
  return port;
}

SilentListener::SilentListener() {
  fd_ = BoundLoopbackSocket(&port_);
  ::listen(fd_, 16);
}

SilentListener::~SilentListener() {
  if (fd_ >= 0) ::close(fd_);
}

bool ScriptedServer::Connection::Send(const std::string& bytes) {
  size_t off = 0;
  while (off < bytes.size()) {
    if (server_->stop_) return false;
    const ssize_t n = ::send(fd_, bytes.data() + off, bytes.size() - off, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    off += static_cast<size_t>(n);
    sent_ += static_cast<size_t>(n);
  }
  return true;
}

ScriptedServer::ScriptedServer(std::function<void(Connection&)> respond)
    : respond_(std::move(respond)) {
  fd_ = BoundLoopbackSocket(&port_);
  ::listen(fd_, 64);
  acceptor_ = std::thread([this] { Accept(); });
}

ScriptedServer::~ScriptedServer() {
  stop_ = true;
  ::shutdown(fd_, SHUT_RDWR);  // wakes the blocked accept()
  acceptor_.join();
  std::vector<std::thread> workers;
  {
    std::lock_guard lock(mu_);
    workers.swap(workers_);
  }
  for (auto& w : workers) w.join();
  ::close(fd_);
}

std::vector<size_t> ScriptedServer::sent_per_connection() const {
  std::lock_guard lock(mu_);
  return sent_;
}

void ScriptedServer::Accept() {
  while (!stop_) {
    const int fd = ::accept(fd_, nullptr, nullptr);
    if (fd < 0) {
      if (errno == EINTR) continue;
      return;
    }
    std::lock_guard lock(mu_);
    workers_.emplace_back([this, fd] { Handle(fd); });
  }
}

void ScriptedServer::Handle(int fd) {
  // Read the request: headers, then Content-Length bytes of body (2 s at most).
  std::string request;
  size_t needed = std::string::npos;
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  while (!stop_ && std::chrono::steady_clock::now() < give_up) {
    if (needed == std::string::npos) {
      const auto end = request.find("\r\n\r\n");
      if (end != std::string::npos) {
        size_t length = 0;
        const auto cl = request.find("Content-Length: ");
        if (cl != std::string::npos && cl < end) length = std::stoul(request.substr(cl + 16));
        needed = end + 4 + length;
      }
    }
    if (needed != std::string::npos && request.size() >= needed) break;
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 50) <= 0) continue;
    char buf[4096];
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    request.append(buf, static_cast<size_t>(n));
  }
  const int now = ++active_;
  for (int most = most_active_; now > most && !most_active_.compare_exchange_weak(most, now);) {
  }
  Connection c(this, fd);
  respond_(c);
  --active_;
  ::close(fd);
  std::lock_guard lock(mu_);
  sent_.push_back(c.bytes_sent());
}

TempDir::TempDir() {
  const char* base = std::getenv("TMPDIR");
  std::string tmpl = std::string(base && *base ? base : "/tmp") + "/kubeheal-prom-XXXXXX";
  if (!::mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed for " + tmpl);
  path_ = tmpl;
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

}  // namespace kubeheal::prom::testing_support
