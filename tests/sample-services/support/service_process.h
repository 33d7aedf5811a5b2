#pragma once

#include <sys/types.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "child_process.h"

namespace kubeheal::samples::testing {

// A real program started for a test: its stderr goes to a log file, it is told to write its
// bound port to a file (--port-file) and is stopped with SIGTERM (then SIGKILL) when the
// object dies. Owned by the test's thread.
class ServiceProcess {
 public:
  ServiceProcess() = default;
  ~ServiceProcess();
  ServiceProcess(const ServiceProcess&) = delete;
  ServiceProcess& operator=(const ServiceProcess&) = delete;

  // Starts `binary` (a name in the build's bin dir) with `args` plus --listen 127.0.0.1:0
  // --port-file; waits until the port file appears. Returns false (with `error`) otherwise.
  bool Start(const std::string& binary, const std::vector<std::string>& args, std::string& error);
  // SIGTERM, then waits up to `grace`; returns the exit status (-1 if it had to be killed).
  int Stop(std::chrono::milliseconds grace = std::chrono::milliseconds(5000));

  unsigned short port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::string log() const;

 private:
  std::unique_ptr<kubeheal::test_support::ChildProcess> process_;
  unsigned short port_ = 0;
  std::string dir_;
};

std::string BinDir();
std::string SourceDir();

// Runs a command (through /bin/sh), returns its exit status and fills `output` with stdout and
// stderr. Bounded by `timeout` (the command is killed past it).
int RunCommand(const std::string& command, std::string& output,
               std::chrono::seconds timeout = std::chrono::seconds(120));

// Runs `command` (RunCommand) and checks that it exits with `status` and that its output
// mentions `mention`; on failure the message carries the whole output.
//   EXPECT_TRUE(ExitsWith(2, BinDir() + "/orders --bogus 1", "--bogus"));
::testing::AssertionResult ExitsWith(int status, const std::string& command,
                                     const std::string& mention = "");

}  // namespace kubeheal::samples::testing
