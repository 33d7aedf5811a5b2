#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "kubeheal/agent/admin_api.h"

namespace kubeheal::agent {

// Serves AdminApi over HTTP/1.1 on its own port and thread (keep-alive, 64 KiB bodies).
class AdminServer {
 public:
  AdminServer(AdminApi& api, std::string host, std::uint16_t port);
  ~AdminServer();

  std::optional<std::string> bind();
  std::uint16_t port() const;
  void start();
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace kubeheal::agent
