#include "kubeheal/kube/shutdown_signal.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <csignal>

namespace kubeheal::kube {
namespace {

int g_pipe[2] = {-1, -1};
std::atomic<int> g_received{0};
struct sigaction g_old_term {
}, g_old_int{};

void OnSignal(int signo) {
  g_received.store(signo);
  const char byte = static_cast<char>(signo);
  [[maybe_unused]] ssize_t n = ::write(g_pipe[1], &byte, 1);
}

}  // namespace

ShutdownSignal::ShutdownSignal(CancelToken& token) : token_(token) {
  g_received = 0;
  if (::pipe2(g_pipe, O_CLOEXEC) != 0) return;
  struct sigaction sa {};
  sa.sa_handler = OnSignal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  ::sigaction(SIGTERM, &sa, &g_old_term);
  ::sigaction(SIGINT, &sa, &g_old_int);
  const int read_fd = g_pipe[0];
  watcher_ = std::thread([this, read_fd] {
    char byte = 0;
    ssize_t n;
    do {
      n = ::read(read_fd, &byte, 1);
    } while (n < 0 && errno == EINTR);
    // byte 0 is our own wake-up from the destructor, not a signal.
    if (n == 1 && byte != 0) token_.Cancel();
  });
}

ShutdownSignal::~ShutdownSignal() {
  if (g_pipe[1] < 0) return;
  ::sigaction(SIGTERM, &g_old_term, nullptr);
  ::sigaction(SIGINT, &g_old_int, nullptr);
  const char wake = 0;
  [[maybe_unused]] ssize_t n = ::write(g_pipe[1], &wake, 1);
  if (watcher_.joinable()) watcher_.join();
  ::close(g_pipe[0]);
  ::close(g_pipe[1]);
  g_pipe[0] = g_pipe[1] = -1;
}

int ShutdownSignal::received() const { return g_received.load(); }

}  // namespace kubeheal::kube
