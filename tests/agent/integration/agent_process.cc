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
  if (errFd >= 0) close(errFd);
  stderrPath_ = pattern;
  // Descriptors of the test (e.g. the upstream's listening socket) must not leak into the
  // agent, or "upstream stopped" would leave a listening socket alive in the child.
  kubeheal::test_support::ChildOptions options;
  options.stderr_path = stderrPath_;
  options.stdout_pipe = true;
  options.close_inherited_fds = true;
  process_ = std::make_unique<kubeheal::test_support::ChildProcess>(args, options);
  if (!process_->error().empty()) throw std::runtime_error("agent: " + process_->error());
  // Read the ready line (bounded: 10 s).
  const std::string line = process_->ReadStdoutLine(std::chrono::seconds(10));
  std::smatch match;
  if (!std::regex_search(line, match, std::regex(R"(listen=[^ ]*:(\d+) admin=[^ ]*:(\d+))"))) {
    throw std::runtime_error("agent did not start: " + line + " / " + stderrText());
  }
  port_ = static_cast<std::uint16_t>(std::stoi(match[1]));
  adminPort_ = static_cast<std::uint16_t>(std::stoi(match[2]));
}

AgentProcess::~AgentProcess() {
  process_.reset();  // SIGKILL if still running
  std::remove(stderrPath_.c_str());
}

pid_t AgentProcess::pid() const { return process_->pid(); }

bool AgentProcess::running() { return process_->Running(); }

void AgentProcess::signal(int signal) { process_->Signal(signal); }

std::optional<int> AgentProcess::wait(std::chrono::milliseconds timeout) {
  const auto code = process_->Wait(timeout);
  if (!code || *code < 0) return std::nullopt;  // still running, or killed by a signal
  return code;
}

std::string AgentProcess::stderrText() const {
  return kubeheal::test_support::ReadWholeFile(stderrPath_);
}

}  // namespace kubeheal::agent::testing
