#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "kubeheal/common/result.h"

namespace kubeheal::controllers {

// An IPv4 or IPv6 network ("10.96.0.0/12", "fe80::/10"; a bare address is /32 or /128). IPv4
// is kept as IPv4-mapped IPv6 (::ffff:a.b.c.d), so "::ffff:127.0.0.1" is loopback too.
class IpNetwork {
 public:
  static Result<IpNetwork> Parse(const std::string& text);
  bool Contains(const std::array<uint8_t, 16>& address) const;
  const std::string& text() const { return text_; }

 private:
  std::array<uint8_t, 16> base_{};
  int prefix_ = 0;  // over the 128 bits
  std::string text_;
};

// An address literal ("10.0.0.1", "::1", "[::1]") as 16 bytes, IPv4 mapped; nullopt otherwise.
std::optional<std::array<uint8_t, 16>> ParseIpAddress(const std::string& text);

// Resolves a host name to its addresses (text form). The real one is getaddrinfo.
using HostResolver = std::function<Result<std::vector<std::string>>(const std::string& host)>;
Result<std::vector<std::string>> ResolveWithGetaddrinfo(const std::string& host);

// Where an alert webhook (a HealingPolicy's alert.webhookURL, written by a tenant) may point.
// Without the check the operator would POST to any address a tenant names and report the
// answer in the policy's status: a scanner of the cluster's internal network, run with the
// operator's network position.
//
// Refused by default, whatever the URL says: loopback (127.0.0.0/8, ::1), link-local
// (169.254.0.0/16, the cloud metadata address among them; fe80::/10), unspecified and
// multicast addresses, the Kubernetes API server's addresses, and `denied_cidrs` (the chart
// passes the cluster's Service and Pod ranges). With `allowed` empty every other address is
// allowed; with entries, only a URL whose host is one of the listed names, or whose every
// address lies in a listed network, is allowed, and such an entry wins over the default
// refusal (an in-cluster Alertmanager is allowed by naming it).
struct WebhookTargetOptions {
  std::vector<std::string> allowed;          // host names and CIDRs (--alert-webhook-allow)
  std::vector<std::string> denied_cidrs;     // the cluster's ranges (--alert-webhook-deny-cidrs)
  std::vector<std::string> apiserver_hosts;  // names or addresses of the Kubernetes API server
};

// A URL split for the check: scheme, host (IPv6 without brackets), port, the rest.
struct WebhookUrl {
  std::string scheme;
  std::string host;
  int port = 0;
  std::string path_and_query;  // "/" at least
};
Result<WebhookUrl> ParseWebhookUrl(const std::string& url);

class WebhookTargetPolicy {
 public:
  // Errors name the entry that does not parse.
  static Result<WebhookTargetPolicy> Create(const WebhookTargetOptions& options,
                                            HostResolver resolver = ResolveWithGetaddrinfo);

  // The address to connect to (one of the host's, all of which passed), or a Terminal
  // "WebhookTargetRefused" error naming the address and the rule that refused it.
  Result<std::string> Check(const WebhookUrl& url) const;

 private:
  struct Refusal {
    IpNetwork network;
    std::string why;  // "loopback", "in the cluster's ranges (--alert-webhook-deny-cidrs)", ...
  };
  std::vector<std::string> allowed_hosts_;  // lowercase
  std::vector<IpNetwork> allowed_networks_;
  std::vector<Refusal> refused_;
  std::vector<std::string> apiserver_names_;  // lowercase, refused by name too
  HostResolver resolver_;
};

}  // namespace kubeheal::controllers
