#include "child_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <iterator>
#include <thread>

namespace kubeheal::test_support {

namespace {

ChildOptions LoggedTo(std::string log_path) {
  ChildOptions options;
  options.log_path = std::move(log_path);
  options.new_process_group = true;
  options.destroy_grace = std::chrono::seconds(3);
  return options;
}

}  // namespace

ChildProcess::ChildProcess(std::vector<std::string> argv, std::string log_path)
    : ChildProcess(std::move(argv), LoggedTo(std::move(log_path))) {}

ChildProcess::ChildProcess(std::vector<std::string> argv, ChildOptions options)
    : options_(std::move(options)) {
  // Everything the child needs is prepared before fork: after it, only async-signal-safe calls.
  std::vector<char*> args;
  for (auto& a : argv) args.push_back(a.data());
  args.push_back(nullptr);
  const int flags = O_WRONLY | O_CREAT | (options_.truncate ? O_TRUNC : O_APPEND);
  int out[2] = {-1, -1};
  if (options_.stdout_pipe && ::pipe(out) != 0) {
    error_ = "pipe failed";
    return;
  }
  const pid_t parent = ::getpid();
  pid_ = ::fork();
  if (pid_ < 0) {
    error_ = "fork failed";
    return;
  }
  if (pid_ == 0) {
    if (options_.die_with_parent) {
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (::getppid() != parent) ::_exit(127);
    }
    if (options_.new_process_group) ::setpgid(0, 0);
    int log = -1;
    if (!options_.log_path.empty()) log = ::open(options_.log_path.c_str(), flags, 0644);
    int err = log;
    if (!options_.stderr_path.empty()) err = ::open(options_.stderr_path.c_str(), flags, 0644);
    if (options_.stdout_pipe) {
      ::dup2(out[1], STDOUT_FILENO);
    } else if (log >= 0) {
      ::dup2(log, STDOUT_FILENO);
    }
    if (err >= 0) ::dup2(err, STDERR_FILENO);
    if (options_.close_inherited_fds) {
      for (int fd = 3; fd < 4096; ++fd) ::close(fd);
    }
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  if (options_.stdout_pipe) {
    ::close(out[1]);
    stdout_fd_ = out[0];
  }
}

ChildProcess::~ChildProcess() {
  if (options_.destroy_grace.count() > 0) {
    Stop(options_.destroy_grace);
  } else if (Running()) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, &status_, 0);
    reaped_ = true;
  }
  if (stdout_fd_ >= 0) ::close(stdout_fd_);
}

bool ChildProcess::Running() {
  if (reaped_ || pid_ <= 0) return false;
  if (::waitpid(pid_, &status_, WNOHANG) == pid_) {
    reaped_ = true;
    return false;
  }
  return true;
}

void ChildProcess::Signal(int sig) {
  if (Running()) ::kill(pid_, sig);
}

int ChildProcess::ExitCode() const {
  if (WIFEXITED(status_)) return WEXITSTATUS(status_);
  if (WIFSIGNALED(status_)) return -WTERMSIG(status_);
  return -1;
}

std::optional<int> ChildProcess::Wait(std::chrono::milliseconds timeout) {
  if (pid_ <= 0) return -1;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (Running()) {
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return ExitCode();
}

int ChildProcess::Stop(std::chrono::milliseconds grace) {
  if (pid_ <= 0) return -1;
  if (!Running()) return ExitCode();
  ::kill(pid_, SIGTERM);
  if (auto code = Wait(grace)) return *code;
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, &status_, 0);
  reaped_ = true;
  return ExitCode();
}

std::string ChildProcess::ReadStdoutLine(std::chrono::milliseconds timeout) {
  std::string line;
  if (stdout_fd_ < 0) return line;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (line.find('\n') == std::string::npos && std::chrono::steady_clock::now() < deadline) {
    pollfd fd{stdout_fd_, POLLIN, 0};
    if (::poll(&fd, 1, 100) <= 0) continue;
    char buffer[512];
    const ssize_t n = ::read(stdout_fd_, buffer, sizeof(buffer));
    if (n <= 0) break;
    line.append(buffer, static_cast<std::size_t>(n));
  }
  return line;
}

std::string ReadWholeFile(const std::string& path) {
  std::ifstream file(path);
  return std::string((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
}

}  // namespace kubeheal::test_support
