#pragma once

#include <optional>
#include <string>

#include "kubeheal/agent/request_view.h"

namespace kubeheal::agent {

struct HeaderMatch {
  std::string name;                  // compared case-insensitively
  std::optional<std::string> value;  // absent: any value, the header must only be present
};

// Which requests a fault applies to: every given member must match. Empty = all requests.
struct MatchRule {
  std::optional<std::string> method;
  std::optional<std::string> pathPrefix;
  std::optional<HeaderMatch> header;

  bool empty() const { return !method && !pathPrefix && !header; }
  bool matches(const RequestView& request) const;
};

}  // namespace kubeheal::agent
