#pragma once

#include "asio_includes.h"
#include "kubeheal/agent/request_view.h"

namespace kubeheal::agent {

// Lets fault match rules look at a Beast request header without copying it.
class BeastRequestView final : public RequestView {
 public:
  explicit BeastRequestView(const http::request_header<>& header) : header_(header) {}

  std::string_view method() const override {
    const auto text = header_.method_string();
    return {text.data(), text.size()};
  }
  std::string_view path() const override {
    const auto target = header_.target();
    const std::string_view full(target.data(), target.size());
    return full.substr(0, full.find('?'));
  }
  std::optional<std::string_view> header(std::string_view name) const override {
    const auto it = header_.find(beast::string_view(name.data(), name.size()));
    if (it == header_.end()) return std::nullopt;
    return std::string_view(it->value().data(), it->value().size());
  }

 private:
  const http::request_header<>& header_;
};

}  // namespace kubeheal::agent
