#pragma once

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "child_process.h"
#include "free_port.h"

namespace kubeheal::itest {

using Json = nlohmann::json;

using test_support::FreePort;  // tests/support/free_port.h
std::string TempDir(const std::string& prefix);
void WriteFile(const std::string& path, const std::string& text);
std::string ReadFile(const std::string& path);
// Polls `done` every 250 ms until it is true or `timeout` passes.
bool WaitFor(const std::function<bool()>& done, std::chrono::seconds timeout);
// A GET on loopback; returns the status (0 when unreachable).
int HttpGetStatus(const std::string& url,
                  std::chrono::milliseconds timeout = std::chrono::seconds(2));
// A GET on loopback; returns the body ("" when unreachable or not 200).
std::string HttpGetBody(const std::string& url,
                        std::chrono::milliseconds timeout = std::chrono::seconds(5));

// The one child-process launcher of the tests (tests/support): stdout and stderr appended to
// the log, a process group of its own, SIGTERM then SIGKILL on Stop and on destruction.
using kubeheal::test_support::ChildProcess;

// kubectl against the test's control plane.
struct CommandResult {
  int code = -1;
  std::string output;
};
// A shell command with `stdin_text` on its standard input; output is stdout and stderr.
CommandResult Shell(const std::string& command, const std::string& stdin_text = "");
std::string Kubeconfig();
CommandResult Kubectl(const std::string& args, const std::string& stdin_text = "");
Json KubectlJson(const std::string& args);  // -o json appended; null on failure

// The path of a program under test: $env when set, else the one this build compiled in.
std::string Binary(const char* compiled, const char* env);
bool Executable(const std::string& path);

// A pod labelled app=web that stands for a pod with an agent, created through the API (no
// kubelet runs here): status.podIP is `ip`, the agent admin port annotation is `admin_port`.
// Returns the failed kubectl call, or code 0.
CommandResult CreateAgentPod(const std::string& ns, const std::string& name, const std::string& ip,
                             int admin_port);

// Deletes a test's namespace without waiting; first drops the finalizer of its FaultScenarios
// `scenarios`, which only a running operator would remove.
void DeleteTestNamespace(const std::string& ns, const std::vector<std::string>& scenarios);

// A trivial HTTP upstream on loopback answering 200 "ok" to everything.
class Upstream {
 public:
  Upstream();
  ~Upstream();
  int port() const { return port_; }

 private:
  struct Impl;
  int port_;
  std::unique_ptr<Impl> impl_;
};

// An HTTP server on loopback that stands in for a pod's agent admin port and only listens: it
// records each request (method, path, Authorization header) and answers 401. Thread-safe.
class RequestRecorder {
 public:
  struct Request {
    std::string method;
    std::string path;
    std::string authorization;  // "" when the header was absent
  };
  RequestRecorder();
  ~RequestRecorder();
  int port() const { return port_; }
  std::vector<Request> requests() const;

 private:
  struct Impl;
  int port_;
  std::unique_ptr<Impl> impl_;
};

// Requests at a steady rate to each URL on background threads until destroyed.
class TrafficGenerator {
 public:
  TrafficGenerator(std::vector<std::string> urls, int requests_per_second_each);
  ~TrafficGenerator();
  long sent() const { return sent_->load(); }

 private:
  std::atomic<bool> stop_{false};
  std::shared_ptr<std::atomic<long>> sent_ = std::make_shared<std::atomic<long>>(0);
  std::vector<std::thread> threads_;
};

}  // namespace kubeheal::itest
