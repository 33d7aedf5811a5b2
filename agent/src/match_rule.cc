#include "kubeheal/agent/match_rule.h"

namespace kubeheal::agent {

bool MatchRule::matches(const RequestView& request) const {
  if (method && request.method() != *method) return false;
  if (pathPrefix && request.path().substr(0, pathPrefix->size()) != *pathPrefix) return false;
  if (header) {
    const std::optional<std::string_view> value = request.header(header->name);
    if (!value) return false;
    if (header->value && *value != *header->value) return false;
  }
  return true;
}

}  // namespace kubeheal::agent
