#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "child_process.h"

namespace kubeheal::agent::testing {

// The real kubeheal-agent binary as a child process on loopback, ports chosen by the kernel
// (port 0) and read back from its "ready" line. Killed on destruction if still running.
class AgentProcess {
 public:
  AgentProcess(std::uint16_t upstreamPort, const std::string& tokenFile,
               std::vector<std::string> extraArgs = {});
  ~AgentProcess();

  std::uint16_t port() const { return port_; }
  std::uint16_t adminPort() const { return adminPort_; }
  pid_t pid() const;
  bool running();
  void signal(int signal);
  // Waits for the process to end; its exit code, or nullopt on timeout (or death by signal).
  std::optional<int> wait(std::chrono::milliseconds timeout);
  std::string stderrText() const;

 private:
  std::unique_ptr<kubeheal::test_support::ChildProcess> process_;
  std::uint16_t port_ = 0;
  std::uint16_t adminPort_ = 0;
  std::string stderrPath_;
};

}  // namespace kubeheal::agent::testing
