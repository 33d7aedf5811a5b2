#include "prometheus_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

namespace kubeheal::prom::testing_support {
namespace {

std::string PrometheusBinary() {
  const char* env = std::getenv("KUBEHEAL_PROMETHEUS");
  return env && *env ? env : "/usr/bin/prometheus";
}

}  // namespace

PrometheusProcess::PrometheusProcess(const Options& options) {
  const std::string binary = PrometheusBinary();
  if (::access(binary.c_str(), X_OK) != 0) {
    error_ = binary + " is not installed (Debian package `prometheus`, hack/deps/apt-packages.txt)";
    return;
  }
  port_ = FreeLoopbackPort();
  std::string targets;
  for (const auto& t : options.targets) targets += (targets.empty() ? "'" : ", '") + t + "'";
  {
    std::ofstream config(dir() + "/prometheus.yml");
    config << "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
           << "scrape_configs:\n  - job_name: kubeheal-test\n    static_configs:\n"
           << "      - targets: [" << targets << "]\n";
  }
  std::vector<std::string> args = {binary, "--config.file=" + dir() + "/prometheus.yml",
                                   "--storage.tsdb.path=" + dir() + "/data",
                                   "--web.listen-address=127.0.0.1:" + std::to_string(port_),
                                   "--log.level=warn"};
  if (!options.tls_cert_file.empty()) {
    scheme_ = "https";
    std::ofstream web(dir() + "/web.yml");
    web << "tls_server_config:\n  cert_file: " << options.tls_cert_file
        << "\n  key_file: " << options.tls_key_file << "\n";
    args.push_back("--web.config.file=" + dir() + "/web.yml");
  }
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  const std::string log_path = dir() + "/prometheus.log";
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid == 0) {
    // Child: only async-signal-safe calls until exec.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);
    const int log = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (log >= 0) {
      ::dup2(log, STDOUT_FILENO);
      ::dup2(log, STDERR_FILENO);
    }
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  if (pid < 0) {
    error_ = "fork failed";
    return;
  }
  pid_ = pid;
}

PrometheusProcess::~PrometheusProcess() { Stop(); }

std::string PrometheusProcess::url() const {
  return scheme_ + "://127.0.0.1:" + std::to_string(port_);
}

void PrometheusProcess::Stop() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGTERM);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline) {
    if (::waitpid(pid_, nullptr, WNOHANG) == pid_) {
      pid_ = -1;
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, nullptr, 0);
  pid_ = -1;
}

std::string PrometheusProcess::LogTail() const {
  std::ifstream log(dir() + "/prometheus.log");
  std::stringstream all;
  all << log.rdbuf();
  const std::string text = all.str();
  return text.size() > 2000 ? text.substr(text.size() - 2000) : text;
}

}  // namespace kubeheal::prom::testing_support
