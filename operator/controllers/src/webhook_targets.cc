#include "kubeheal/controllers/webhook_targets.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <sys/socket.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstring>

namespace kubeheal::controllers {
namespace {

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

std::string AddressText(const std::array<uint8_t, 16>& a) {
  static constexpr std::array<uint8_t, 12> kMapped = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  char buf[INET6_ADDRSTRLEN] = {};
  if (std::equal(kMapped.begin(), kMapped.end(), a.begin())) {
    inet_ntop(AF_INET, a.data() + 12, buf, sizeof buf);
  } else {
    inet_ntop(AF_INET6, a.data(), buf, sizeof buf);
  }
  return buf;
}

// The networks no webhook reaches unless an allow-list entry names them.
struct BuiltIn {
  const char* cidr;
  const char* why;
};
constexpr BuiltIn kRefused[] = {
    {"127.0.0.0/8", "loopback"},
    {"::1/128", "loopback"},
    {"169.254.0.0/16", "link-local (the cloud metadata address is one)"},
    {"fe80::/10", "link-local"},
    {"0.0.0.0/8", "unspecified"},
    {"::/128", "unspecified"},
    {"224.0.0.0/4", "multicast"},
    {"ff00::/8", "multicast"},
    {"255.255.255.255/32", "broadcast"},
};

}  // namespace

std::optional<std::array<uint8_t, 16>> ParseIpAddress(const std::string& text) {
  std::string t = text;
  if (t.size() >= 2 && t.front() == '[' && t.back() == ']') t = t.substr(1, t.size() - 2);
  std::array<uint8_t, 16> out{};
  in_addr v4{};
  if (inet_pton(AF_INET, t.c_str(), &v4) == 1) {
    out[10] = 0xff;
    out[11] = 0xff;
    std::memcpy(out.data() + 12, &v4, 4);
    return out;
  }
  in6_addr v6{};
  if (inet_pton(AF_INET6, t.c_str(), &v6) == 1) {
    std::memcpy(out.data(), &v6, 16);
    return out;
  }
  return std::nullopt;
}

Result<IpNetwork> IpNetwork::Parse(const std::string& text) {
  const auto slash = text.find('/');
  const std::string address = text.substr(0, slash);
  auto base = ParseIpAddress(address);
  if (!base) {
    return Error::Terminal("InvalidNetwork", "\"" + text + "\" is not an IP address or CIDR");
  }
  const bool v4 = address.find(':') == std::string::npos;
  const int max_prefix = v4 ? 32 : 128;
  int prefix = max_prefix;
  if (slash != std::string::npos) {
    const std::string bits = text.substr(slash + 1);
    const auto [end, ec] = std::from_chars(bits.data(), bits.data() + bits.size(), prefix);
    if (bits.empty() || ec != std::errc() || end != bits.data() + bits.size() || prefix < 0 ||
        prefix > max_prefix) {
      return Error::Terminal("InvalidNetwork", "\"" + text + "\": the prefix length must be 0.." +
                                                   std::to_string(max_prefix));
    }
  }
  IpNetwork n;
  n.prefix_ = v4 ? prefix + 96 : prefix;
  n.base_ = *base;
  for (int bit = n.prefix_; bit < 128; ++bit) {
    n.base_[bit / 8] &= static_cast<uint8_t>(~(0x80u >> (bit % 8)));
  }
  n.text_ = text;
  return n;
}

bool IpNetwork::Contains(const std::array<uint8_t, 16>& address) const {
  for (int bit = 0; bit < prefix_; ++bit) {
    const uint8_t mask = static_cast<uint8_t>(0x80u >> (bit % 8));
    if ((address[bit / 8] & mask) != (base_[bit / 8] & mask)) return false;
  }
  return true;
}

Result<std::vector<std::string>> ResolveWithGetaddrinfo(const std::string& host) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  const int rc = getaddrinfo(host.c_str(), nullptr, &hints, &res);
  if (rc != 0) {
    return Error::Retryable("WebhookUnresolved",
                            "cannot resolve " + host + ": " + gai_strerror(rc));
  }
  std::vector<std::string> out;
  for (const addrinfo* p = res; p != nullptr; p = p->ai_next) {
    char buf[INET6_ADDRSTRLEN] = {};
    if (p->ai_family == AF_INET) {
      inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(p->ai_addr)->sin_addr, buf,
                sizeof buf);
    } else if (p->ai_family == AF_INET6) {
      inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(p->ai_addr)->sin6_addr, buf,
                sizeof buf);
    } else {
      continue;
    }
    if (std::find(out.begin(), out.end(), buf) == out.end()) out.emplace_back(buf);
  }
  freeaddrinfo(res);
  return out;
}

Result<WebhookUrl> ParseWebhookUrl(const std::string& url) {
  WebhookUrl u;
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string::npos) {
    return Error::Terminal("InvalidWebhookURL", "not an absolute http or https URL");
  }
  u.scheme = Lower(url.substr(0, scheme_end));
  if (u.scheme != "http" && u.scheme != "https") {
    return Error::Terminal("InvalidWebhookURL", "scheme " + u.scheme + " is not http or https");
  }
  const auto authority_start = scheme_end + 3;
  const auto path_start = url.find_first_of("/?#", authority_start);
  std::string authority =
      url.substr(authority_start, path_start == std::string::npos ? std::string::npos
                                                                  : path_start - authority_start);
  u.path_and_query = path_start == std::string::npos ? "/" : url.substr(path_start);
  if (const auto hash = u.path_and_query.find('#'); hash != std::string::npos) {
    u.path_and_query.erase(hash);
  }
  if (u.path_and_query.empty() || u.path_and_query.front() != '/') {
    u.path_and_query = "/" + u.path_and_query;
  }
  if (authority.find('@') != std::string::npos) {
    return Error::Terminal("InvalidWebhookURL", "credentials in the URL are not accepted");
  }
  std::string port_text;
  if (!authority.empty() && authority.front() == '[') {
    const auto close = authority.find(']');
    if (close == std::string::npos) {
      return Error::Terminal("InvalidWebhookURL", "unclosed [ in the host");
    }
    u.host = authority.substr(1, close - 1);
    if (close + 1 < authority.size()) {
      if (authority[close + 1] != ':') {
        return Error::Terminal("InvalidWebhookURL", "unexpected text after the IPv6 host");
      }
      port_text = authority.substr(close + 2);
    }
  } else {
    const auto colon = authority.find(':');
    u.host = authority.substr(0, colon);
    if (colon != std::string::npos) port_text = authority.substr(colon + 1);
  }
  u.host = Lower(u.host);
  if (u.host.empty()) return Error::Terminal("InvalidWebhookURL", "no host");
  u.port = u.scheme == "https" ? 443 : 80;
  if (!port_text.empty()) {
    int port = 0;
    const auto [end, ec] =
        std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc() || end != port_text.data() + port_text.size() || port < 1 ||
        port > 65535) {
      return Error::Terminal("InvalidWebhookURL", "port \"" + port_text + "\" is not 1..65535");
    }
    u.port = port;
  }
  return u;
}

Result<WebhookTargetPolicy> WebhookTargetPolicy::Create(const WebhookTargetOptions& options,
                                                        HostResolver resolver) {
  WebhookTargetPolicy p;
  p.resolver_ = std::move(resolver);
  for (const auto& entry : options.allowed) {
    if (entry.empty()) continue;
    const bool looks_like_network = entry.find('/') != std::string::npos || ParseIpAddress(entry);
    if (looks_like_network) {
      auto n = IpNetwork::Parse(entry);
      if (!n.ok()) {
        return Error::Terminal("InvalidFlag", "--alert-webhook-allow: " + n.error().message);
      }
      p.allowed_networks_.push_back(std::move(*n));
      continue;
    }
    const std::string host = Lower(entry);
    const bool valid = std::all_of(host.begin(), host.end(),
                                   [](char c) {
                                     return std::isalnum(static_cast<unsigned char>(c)) ||
                                            c == '-' || c == '.' || c == '*';
                                   }) &&
                       (host.find('*') == std::string::npos ||
                        (host.rfind("*.", 0) == 0 && host.find('*', 1) == std::string::npos));
    if (!valid) {
      return Error::Terminal("InvalidFlag", "--alert-webhook-allow: \"" + entry +
                                                "\" is neither a host name (optionally *.domain) "
                                                "nor an IP address or CIDR");
    }
    p.allowed_hosts_.push_back(host);
  }
  for (const auto& b : kRefused) {
    p.refused_.push_back({*IpNetwork::Parse(b.cidr), b.why});
  }
  for (const auto& cidr : options.denied_cidrs) {
    if (cidr.empty()) continue;
    auto n = IpNetwork::Parse(cidr);
    if (!n.ok()) {
      return Error::Terminal("InvalidFlag", "--alert-webhook-deny-cidrs: " + n.error().message);
    }
    p.refused_.push_back({std::move(*n), "in the cluster's ranges (--alert-webhook-deny-cidrs)"});
  }
  // The API server by each address its name has now. A name that fails to resolve here is
  // still refused by name in Check.
  for (const auto& host : options.apiserver_hosts) {
    if (host.empty()) continue;
    std::vector<std::string> addresses;
    if (ParseIpAddress(host)) {
      addresses.push_back(host);
    } else if (p.resolver_) {
      if (auto r = p.resolver_(host); r.ok()) addresses = *r;
    }
    for (const auto& a : addresses) {
      if (auto n = IpNetwork::Parse(a[0] == '[' ? a.substr(1, a.size() - 2) : a); n.ok()) {
        p.refused_.push_back({std::move(*n), "the Kubernetes API server"});
      }
    }
    if (!ParseIpAddress(host)) p.apiserver_names_.push_back(Lower(host));
  }
  return p;
}

Result<std::string> WebhookTargetPolicy::Check(const WebhookUrl& url) const {
  const std::string& host = url.host;
  auto refuse = [&](const std::string& why) -> Error {
    return Error::Terminal("WebhookTargetRefused", why);
  };
  bool named = false;
  for (const auto& h : allowed_hosts_) {
    if (h == host || (h.rfind("*.", 0) == 0 && host.size() > h.size() - 1 &&
                      host.compare(host.size() - (h.size() - 1), h.size() - 1, h, 1) == 0)) {
      named = true;
    }
  }
  if (!named &&
      std::find(apiserver_names_.begin(), apiserver_names_.end(), host) != apiserver_names_.end()) {
    return refuse(host + " is the Kubernetes API server");
  }
  std::vector<std::string> addresses;
  if (ParseIpAddress(host)) {
    addresses.push_back(host);
  } else {
    if (!resolver_) return refuse("no resolver for " + host);
    auto resolved = resolver_(host);
    if (!resolved.ok()) return resolved.error();
    addresses = std::move(*resolved);
  }
  if (addresses.empty()) {
    return Error::Retryable("WebhookUnresolved", host + " has no address");
  }
  for (const auto& a : addresses) {
    const auto address = ParseIpAddress(a);
    if (!address) return refuse(host + " resolved to \"" + a + "\", not an IP address");
    if (named) continue;
    const bool listed = std::any_of(allowed_networks_.begin(), allowed_networks_.end(),
                                    [&](const IpNetwork& n) { return n.Contains(*address); });
    if (listed) continue;
    const std::string shown =
        AddressText(*address) == host ? host : host + " (" + AddressText(*address) + ")";
    if (!allowed_hosts_.empty() || !allowed_networks_.empty()) {
      return refuse(shown + " is not in --alert-webhook-allow");
    }
    for (const auto& r : refused_) {
      if (r.network.Contains(*address)) {
        return refuse(shown + " is " + r.why + " (" + r.network.text() +
                      "); an operator flag --alert-webhook-allow entry can allow it");
      }
    }
  }
  return AddressText(*ParseIpAddress(addresses.front()));
}

}  // namespace kubeheal::controllers
