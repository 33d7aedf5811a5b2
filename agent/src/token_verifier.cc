#include "kubeheal/agent/token_verifier.h"

namespace kubeheal::agent {

bool constantTimeEquals(std::string_view a, std::string_view b) {
  // Walks the whole presented string whatever the content, so timing does not reveal a prefix.
  unsigned char difference = a.size() == b.size() ? 0 : 1;
  const std::size_t length = a.size();
  for (std::size_t i = 0; i < length; ++i) {
    const unsigned char expected = b.empty() ? 0 : static_cast<unsigned char>(b[i % b.size()]);
    difference |= static_cast<unsigned char>(a[i]) ^ expected;
  }
  return difference == 0;
}

}  // namespace kubeheal::agent
