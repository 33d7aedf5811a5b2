#pragma once

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "kubeheal/common/result.h"
#include "kubeheal/sample_http/router.h"
#include "kubeheal/sample_http/service_metrics.h"
#include "kubeheal/sample_http/url.h"

namespace kubeheal::samples {

// An HTTP/1.1 server on Boost.Beast (keep-alive, 1 MiB body limit, idle timeout). Handlers
// run on the server's I/O threads and may block (a dependency call, CPU work): `threads`
// bounds how many requests are worked on at once, like a servlet pool, so a slow dependency
// exhausts it and the slowness cascades to callers, as real services do.
// Start() and Stop() are called from one controlling thread.
class HttpServer {
 public:
  HttpServer(const Router& router, ServiceMetrics& metrics, int threads);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds (port 0 picks a free port) and starts the threads; returns the bound port.
  Result<unsigned short> Start(const HostPort& listen);
  // Stops accepting, lets handlers in progress finish, joins the threads.
  void Stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace kubeheal::samples
