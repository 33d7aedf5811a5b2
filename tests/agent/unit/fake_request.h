#pragma once

#include <map>
#include <string>

#include "kubeheal/agent/request_view.h"

namespace kubeheal::agent::testing {

// A request for match rules and fault decisions; header names stored lower-case.
class FakeRequest final : public RequestView {
 public:
  FakeRequest(std::string method, std::string path, std::map<std::string, std::string> headers = {})
      : method_(std::move(method)), path_(std::move(path)) {
    for (auto& [name, value] : headers) headers_[lower(name)] = value;
  }
  std::string_view method() const override { return method_; }
  std::string_view path() const override { return path_; }
  std::optional<std::string_view> header(std::string_view name) const override {
    auto it = headers_.find(lower(std::string(name)));
    if (it == headers_.end()) return std::nullopt;
    return std::string_view(it->second);
  }

 private:
  static std::string lower(std::string text) {
    for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return text;
  }
  std::string method_;
  std::string path_;
  std::map<std::string, std::string> headers_;
};

}  // namespace kubeheal::agent::testing
