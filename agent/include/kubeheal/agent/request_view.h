#pragma once

#include <optional>
#include <string_view>

namespace kubeheal::agent {

// What fault match rules may look at in a request, independent of the HTTP library.
class RequestView {
 public:
  virtual ~RequestView() = default;
  virtual std::string_view method() const = 0;
  // The path of the request target, query excluded.
  virtual std::string_view path() const = 0;
  // The first value of a header, looked up case-insensitively.
  virtual std::optional<std::string_view> header(std::string_view name) const = 0;
};

}  // namespace kubeheal::agent
