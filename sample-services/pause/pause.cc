// kubeheal-pause: the pod sandbox's init process. Holds the pod's namespaces open, sleeps
// until SIGTERM or SIGINT, and reaps zombies (it is PID 1 when the pod shares a PID
// namespace). Linked statically so its image holds a single file.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

namespace {

volatile sig_atomic_t g_stop = 0;

void OnStop(int) { g_stop = 1; }

void OnChild(int) {
  // Reap every child that has exited; errno is restored for the interrupted code.
  int saved = errno;
  while (waitpid(-1, nullptr, WNOHANG) > 0) {
  }
  errno = saved;
}

void Install(int signal_number, void (*handler)(int)) {
  struct sigaction action = {};
  action.sa_handler = handler;
  sigemptyset(&action.sa_mask);
  action.sa_flags = signal_number == SIGCHLD ? SA_NOCLDSTOP | SA_RESTART : 0;
  sigaction(signal_number, &action, nullptr);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 1 && (argv[1][0] == '-')) {
    std::puts("kubeheal-pause: holds a pod's namespaces; exits 0 on SIGTERM/SIGINT.");
    return 0;
  }
  Install(SIGTERM, OnStop);
  Install(SIGINT, OnStop);
  Install(SIGCHLD, OnChild);
  while (!g_stop) pause();
  return 0;
}
