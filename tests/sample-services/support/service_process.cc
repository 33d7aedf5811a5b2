#include "service_process.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace kubeheal::samples::testing {

std::string BinDir() { return KUBEHEAL_SAMPLES_BIN_DIR; }
std::string SourceDir() { return KUBEHEAL_SOURCE_DIR; }

ServiceProcess::~ServiceProcess() {
  Stop();
  if (!dir_.empty()) std::filesystem::remove_all(dir_);
}

bool ServiceProcess::Start(const std::string& binary, const std::vector<std::string>& args,
                           std::string& error) {
  char tmpl[] = "/tmp/kubeheal-sample-test-XXXXXX";
  if (!mkdtemp(tmpl)) {
    error = "mkdtemp failed";
    return false;
  }
  dir_ = tmpl;
  std::string port_file = dir_ + "/port";
  std::string log_file = dir_ + "/stderr.log";
  std::vector<std::string> argv_strings = {BinDir() + "/" + binary, "--listen", "127.0.0.1:0",
                                           "--port-file", port_file};
  argv_strings.insert(argv_strings.end(), args.begin(), args.end());
  kubeheal::test_support::ChildOptions options;
  options.stderr_path = log_file;
  options.truncate = true;
  process_ = std::make_unique<kubeheal::test_support::ChildProcess>(argv_strings, options);
  if (!process_->error().empty()) {
    error = binary + ": " + process_->error();
    return false;
  }
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline) {
    std::ifstream in(port_file);
    unsigned port = 0;
    if (in >> port && port > 0) {
      port_ = static_cast<unsigned short>(port);
      return true;
    }
    if (!process_->Running()) {
      process_.reset();
      error = binary + " exited before serving: " + log();
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  error = binary + " wrote no port file within 10s: " + log();
  return false;
}

int ServiceProcess::Stop(std::chrono::milliseconds grace) {
  if (!process_) return -1;
  process_->Signal(SIGTERM);
  const auto code = process_->Wait(grace);
  process_.reset();  // SIGKILLs it if the grace was not enough
  return code.value_or(-1) < 0 ? -1 : *code;
}

std::string ServiceProcess::log() const {
  std::ifstream in(dir_ + "/stderr.log");
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

int RunCommand(const std::string& command, std::string& output, std::chrono::seconds timeout) {
  std::string wrapped = "timeout -k 5 " + std::to_string(timeout.count()) + " sh -c '" + [&] {
    std::string escaped;
    for (char c : command) {
      if (c == '\'')
        escaped += "'\\''";
      else
        escaped.push_back(c);
    }
    return escaped;
  }() + "' 2>&1";
  FILE* pipe = popen(wrapped.c_str(), "r");
  if (!pipe) return -1;
  char buffer[4096];
  output.clear();
  while (size_t n = fread(buffer, 1, sizeof buffer, pipe)) output.append(buffer, n);
  int status = pclose(pipe);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

::testing::AssertionResult ExitsWith(int status, const std::string& command,
                                     const std::string& mention) {
  std::string output;
  const int got = RunCommand(command, output);
  if (got != status) {
    return ::testing::AssertionFailure()
           << command << " exited with " << got << ", not " << status << ": " << output;
  }
  if (output.find(mention) == std::string::npos) {
    return ::testing::AssertionFailure()
           << command << " does not mention '" << mention << "': " << output;
  }
  return ::testing::AssertionSuccess();
}

}  // namespace kubeheal::samples::testing
