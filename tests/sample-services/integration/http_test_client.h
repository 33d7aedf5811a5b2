#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "kubeheal/sample_http/http_connection.h"

namespace kubeheal::samples::testing {

// One request on a fresh connection to 127.0.0.1:port; status -1 when nothing answered.
struct Answer {
  int status = -1;
  std::string body;
  std::string error;
  nlohmann::json Json() const { return nlohmann::json::parse(body, nullptr, false); }
};

inline Answer Request(unsigned short port, const std::string& method, const std::string& target,
                      const std::string& body = "",
                      std::chrono::milliseconds timeout = std::chrono::milliseconds(5000)) {
  HttpConnection connection("127.0.0.1", std::to_string(port));
  auto result = connection.Send(ClientRequest{method, target, body, timeout});
  if (!result) return Answer{-1, "", result.error().message};
  return Answer{result->status, result->body, ""};
}

}  // namespace kubeheal::samples::testing
