#pragma once

#include <string>
#include <string_view>

namespace kubeheal::agent {

// Decides whether a presented bearer token is the admin token.
class TokenVerifier {
 public:
  struct Verdict {
    bool ok = false;
    std::string reason;  // why not, for the 401 body
  };
  virtual ~TokenVerifier() = default;
  // `authorization` is the raw Authorization header value ("" if absent).
  virtual Verdict verify(std::string_view authorization) = 0;
};

// Equality in time independent of where the strings differ (length leaks, content does not).
bool constantTimeEquals(std::string_view a, std::string_view b);

}  // namespace kubeheal::agent
