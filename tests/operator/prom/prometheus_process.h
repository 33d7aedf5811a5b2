#pragma once

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "child_process.h"
#include "loopback.h"

namespace kubeheal::prom::testing_support {

// A real Prometheus server (the Debian package's /usr/bin/prometheus, or $KUBEHEAL_PROMETHEUS)
// on a free loopback port, with a temporary config and TSDB, scraping `targets` every second.
// Stopped (SIGTERM, then SIGKILL) and its files removed on destruction; it also dies with the
// test process. Owned by the test thread.
class PrometheusProcess {
 public:
  struct Options {
    std::vector<std::string> targets;  // "127.0.0.1:PORT"
    // If set, served over https with this certificate and key (PEM files).
    std::string tls_cert_file;
    std::string tls_key_file;
  };

  explicit PrometheusProcess(const Options& options);
  ~PrometheusProcess();
  PrometheusProcess(const PrometheusProcess&) = delete;
  PrometheusProcess& operator=(const PrometheusProcess&) = delete;

  // Whether the process could be started at all (see error()).
  bool started() const { return process_ != nullptr; }
  const std::string& error() const { return error_; }
  std::string url() const;
  const std::string& dir() const { return dir_.path(); }
  void Stop();
  // The tail of the server's log, for failure messages.
  std::string LogTail() const;

 private:
  TempDir dir_;
  std::string scheme_ = "http";
  int port_ = 0;
  std::unique_ptr<kubeheal::test_support::ChildProcess> process_;
  std::string error_;
};

}  // namespace kubeheal::prom::testing_support
