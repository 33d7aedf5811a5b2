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
  // It dies with the test process, so a crashed test leaves no Prometheus behind.
  kubeheal::test_support::ChildOptions child;
  child.log_path = dir() + "/prometheus.log";
  child.truncate = true;
  child.die_with_parent = true;
  process_ = std::make_unique<kubeheal::test_support::ChildProcess>(args, child);
  if (!process_->error().empty()) {
    error_ = process_->error();
    process_.reset();
  }
}

PrometheusProcess::~PrometheusProcess() { Stop(); }

std::string PrometheusProcess::url() const {
  return scheme_ + "://127.0.0.1:" + std::to_string(port_);
}

void PrometheusProcess::Stop() {
  if (!process_) return;
  process_->Stop(std::chrono::seconds(10));
  process_.reset();
}

std::string PrometheusProcess::LogTail() const {
  std::ifstream log(dir() + "/prometheus.log");
  std::stringstream all;
  all << log.rdbuf();
  const std::string text = all.str();
  return text.size() > 2000 ? text.substr(text.size() - 2000) : text;
}

}  // namespace kubeheal::prom::testing_support
