#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace kubeheal::test_support {

// How a child's output is kept and how it is tied to the test.
struct ChildOptions {
  // Where stdout and stderr go (empty: inherited from the test); both to one file unless
  // stderr_path is set too.
  std::string log_path;
  std::string stderr_path;
  bool truncate = false;             // the log files start empty (default: appended to)
  bool stdout_pipe = false;          // stdout to a pipe the test reads with ReadStdout
  bool new_process_group = false;    // a signal to the test's group does not reach it
  bool die_with_parent = false;      // SIGKILLed when the test process dies (PR_SET_PDEATHSIG)
  bool close_inherited_fds = false;  // no descriptor of the test (e.g. a listening socket) leaks
  // On destruction: SIGTERM and this long before SIGKILL (0: SIGKILL at once).
  std::chrono::milliseconds destroy_grace{0};
};

// A program of ours (or a real one such as Prometheus) as a child process of an integration
// test: the one fork/exec of the tests. Running() reaps it without blocking; Stop() sends SIGTERM
// and SIGKILL after the grace; the destructor stops what still runs (ChildOptions::destroy_grace).
// Not thread-safe.
class ChildProcess {
 public:
  ChildProcess(std::vector<std::string> argv, ChildOptions options);
  // The common case: stdout and stderr appended to `log_path`, in a process group of its own,
  // given 3 s to stop on destruction.
  ChildProcess(std::vector<std::string> argv, std::string log_path);
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  // Empty when the fork succeeded (an exec failure shows as exit code 127).
  const std::string& error() const { return error_; }
  const std::string& log_path() const { return options_.log_path; }

  bool Running();
  void Signal(int sig);
  // Waits up to `timeout` for the end; the exit code (-signal when killed by one), or nullopt
  // while it still runs.
  std::optional<int> Wait(std::chrono::milliseconds timeout);
  // SIGTERM, then SIGKILL after `grace`; the exit code (-signal when killed by one).
  int Stop(std::chrono::milliseconds grace = std::chrono::seconds(5));
  // Reads stdout (stdout_pipe) until a newline or `timeout`; what was read.
  std::string ReadStdoutLine(std::chrono::milliseconds timeout);

 private:
  int ExitCode() const;

  ChildOptions options_;
  pid_t pid_ = -1;
  int stdout_fd_ = -1;
  int status_ = 0;
  bool reaped_ = false;
  std::string error_;
};

// The whole of a file (a child's log), or "" when it cannot be read.
std::string ReadWholeFile(const std::string& path);

}  // namespace kubeheal::test_support
