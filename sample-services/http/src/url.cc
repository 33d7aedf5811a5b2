#include "kubeheal/sample_http/url.h"

#include <charconv>

namespace kubeheal::samples {

namespace {

Result<unsigned short> ParsePort(const std::string& text, const std::string& where) {
  unsigned value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || value > 65535) {
    return Error::Invalid("invalid port '" + text + "' in '" + where + "'");
  }
  return static_cast<unsigned short>(value);
}

}  // namespace

Result<HttpUrl> ParseHttpUrl(const std::string& text) {
  const std::string scheme = "http://";
  if (text.rfind(scheme, 0) != 0) {
    return Error::Invalid("URL '" + text +
                          "' must start with http:// (only plain HTTP is supported)");
  }
  std::string rest = text.substr(scheme.size());
  size_t slash = rest.find('/');
  std::string authority = rest.substr(0, slash);
  std::string path = slash == std::string::npos ? "" : rest.substr(slash);
  while (!path.empty() && path.back() == '/') path.pop_back();
  if (authority.empty()) return Error::Invalid("URL '" + text + "' has no host");
  HttpUrl url;
  size_t colon = authority.rfind(':');
  if (colon == std::string::npos) {
    url.host = authority;
    url.port = "80";
  } else {
    url.host = authority.substr(0, colon);
    auto port = ParsePort(authority.substr(colon + 1), text);
    if (!port) return port.error();
    url.port = std::to_string(*port);
  }
  if (url.host.empty()) return Error::Invalid("URL '" + text + "' has no host");
  url.base_path = path;
  return url;
}

Result<HostPort> ParseHostPort(const std::string& text) {
  size_t colon = text.rfind(':');
  if (colon == std::string::npos) {
    return Error::Invalid("listen address '" + text + "' must be HOST:PORT or :PORT");
  }
  auto port = ParsePort(text.substr(colon + 1), text);
  if (!port) return port.error();
  HostPort hp;
  hp.host = colon == 0 ? "0.0.0.0" : text.substr(0, colon);
  hp.port = *port;
  return hp;
}

std::string PercentDecode(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '+') {
      out.push_back(' ');
    } else if (c == '%' && i + 2 < text.size()) {
      unsigned value = 0;
      auto [end, ec] = std::from_chars(text.data() + i + 1, text.data() + i + 3, value, 16);
      if (ec == std::errc() && end == text.data() + i + 3) {
        out.push_back(static_cast<char>(value));
        i += 2;
      } else {
        out.push_back(c);
      }
    } else {
      out.push_back(c);
    }
  }
  return out;
}

}  // namespace kubeheal::samples
