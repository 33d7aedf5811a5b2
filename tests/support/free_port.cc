#include "free_port.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace kubeheal::test_support {

int FreePort(const std::string& host) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  if (inet_pton(AF_INET, host.c_str(), &addr.sin_addr) != 1) {
    std::fprintf(stderr, "FreePort: '%s' is not an IPv4 address\n", host.c_str());
    std::abort();
  }
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  socklen_t len = sizeof addr;
  if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    std::fprintf(stderr, "FreePort: no free port on %s: %s\n", host.c_str(), std::strerror(errno));
    std::abort();
  }
  close(fd);
  return ntohs(addr.sin_port);
}

}  // namespace kubeheal::test_support
