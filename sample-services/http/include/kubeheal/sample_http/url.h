#pragma once

#include <string>

#include "kubeheal/common/result.h"

namespace kubeheal::samples {

// http://host:port/base -> parts. Only plain http: the sample services talk inside a pod
// network or on loopback; TLS belongs to the mesh, not to them.
struct HttpUrl {
  std::string host;
  std::string port;
  std::string base_path;  // "" or "/prefix" without a trailing slash
};

Result<HttpUrl> ParseHttpUrl(const std::string& text);

// "HOST:PORT" (listen addresses); ":PORT" means all interfaces.
struct HostPort {
  std::string host;
  unsigned short port = 0;
};
Result<HostPort> ParseHostPort(const std::string& text);

std::string PercentDecode(const std::string& text);

}  // namespace kubeheal::samples
