#include "agent_process.h"

#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <regex>
#include <stdexcept>
#include <thread>

namespace kubeheal::agent::testing {

AgentProcess::AgentProcess(std::uint16_t upstreamPort, const std::string& tokenFile,
                           std::vector<std::string> extraArgs) {
  // KUBEHEAL_AGENT_BINARY in the environment runs another build (e.g. the ASan one).
  const char* binary = std::getenv("KUBEHEAL_AGENT_BINARY");
  std::vector<std::string> args = {binary && *binary ? binary : KUBEHEAL_AGENT_BINARY,
                                   "--listen",
                                   "127.0.0.1:0",
                                   "--admin",
                                   "127.0.0.1:0",
                                   "--upstream",
                                   "127.0.0.1:" + std::to_string(upstreamPort),
                                   "--token-file",
                                   tokenFile};
  args.insert(args.end(), extraArgs.begin(), extraArgs.end());
  char pattern[] = "/tmp/kubeheal-agent-stderr-XXXXXX";
  const int errFd = mkstemp(pattern);
  stderrPath_ = pattern;
  int out[2];
  if (pipe(out) != 0) throw std::runtime_error("pipe failed");
  pid_ = fork();
  if (pid_ == 0) {
    dup2(out[1], STDOUT_FILENO);
    dup2(errFd, STDERR_FILENO);
    close(out[0]);
    // Descriptors of the test (e.g. the upstream's listening socket) must not leak into the
    // agent, or "upstream stopped" would leave a listening socket alive in the child.
    for (int fd = 3; fd < 4096; ++fd) close(fd);
    std::vector<char*> argv;
    for (auto& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  close(out[1]);
  close(errFd);
  // Read the ready line (bounded: 10 s).
  std::string line;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (line.find('\n') == std::string::npos && std::chrono::steady_clock::now() < deadline) {
    pollfd fd{out[0], POLLIN, 0};
    if (poll(&fd, 1, 100) <= 0) continue;
    char buffer[512];
    const ssize_t n = read(out[0], buffer, sizeof(buffer));
    if (n <= 0) break;
    line.append(buffer, static_cast<std::size_t>(n));
  }
  close(out[0]);
  std::smatch match;
  if (!std::regex_search(line, match, std::regex(R"(listen=[^ ]*:(\d+) admin=[^ ]*:(\d+))"))) {
    throw std::runtime_error("agent did not start: " + line + " / " + stderrText());
  }
  port_ = static_cast<std::uint16_t>(std::stoi(match[1]));
  adminPort_ = static_cast<std::uint16_t>(std::stoi(match[2]));
}

AgentProcess::~AgentProcess() {
  if (running()) {
    ::kill(pid_, SIGKILL);
    wait(std::chrono::seconds(5));
  }
  std::remove(stderrPath_.c_str());
}

bool AgentProcess::running() {
  if (reaped_ || pid_ <= 0) return false;
  int status = 0;
  const pid_t result = waitpid(pid_, &status, WNOHANG);
  if (result == pid_) {
    reaped_ = true;
    status_ = status;
    return false;
  }
  return true;
}

void AgentProcess::signal(int signal) {
  if (running()) ::kill(pid_, signal);
}

std::optional<int> AgentProcess::wait(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (running()) {
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  if (WIFEXITED(status_)) return WEXITSTATUS(status_);
  return std::nullopt;
}

std::string AgentProcess::stderrText() const {
  std::ifstream file(stderrPath_);
  return std::string((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
}

}  // namespace kubeheal::agent::testing
