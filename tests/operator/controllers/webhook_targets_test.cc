// Where an alert webhook may point: the networks, the URL split, and the policy's verdicts,
// with a resolver that is a map (no DNS).
#include "kubeheal/controllers/webhook_targets.h"

#include <map>

#include <gtest/gtest.h>

namespace kubeheal::controllers {
namespace {

HostResolver MapResolver(std::map<std::string, std::vector<std::string>> names) {
  return [names = std::move(names)](const std::string& host) -> Result<std::vector<std::string>> {
    auto it = names.find(host);
    if (it == names.end()) return Error::Retryable("WebhookUnresolved", "cannot resolve " + host);
    return it->second;
  };
}

std::array<uint8_t, 16> Ip(const std::string& text) {
  auto a = ParseIpAddress(text);
  EXPECT_TRUE(a.has_value()) << text;
  return a.value_or(std::array<uint8_t, 16>{});
}

TEST(IpNetworkTest, ContainsByPrefixInBothFamilies) {
  auto n = IpNetwork::Parse("10.96.0.0/12");
  ASSERT_TRUE(n.ok()) << n.error().message;
  EXPECT_TRUE(n->Contains(Ip("10.96.0.1")));
  EXPECT_TRUE(n->Contains(Ip("10.111.255.255")));
  EXPECT_FALSE(n->Contains(Ip("10.112.0.0")));
  EXPECT_FALSE(n->Contains(Ip("10.95.255.255")));
  // Host bits in the base are masked off; a bare address is one address.
  EXPECT_TRUE(IpNetwork::Parse("192.168.7.9/16")->Contains(Ip("192.168.200.1")));
  EXPECT_TRUE(IpNetwork::Parse("192.0.2.7")->Contains(Ip("192.0.2.7")));
  EXPECT_FALSE(IpNetwork::Parse("192.0.2.7")->Contains(Ip("192.0.2.8")));
  auto v6 = IpNetwork::Parse("fd00:10::/32");
  ASSERT_TRUE(v6.ok());
  EXPECT_TRUE(v6->Contains(Ip("fd00:10:ffff::1")));
  EXPECT_FALSE(v6->Contains(Ip("fd00:11::1")));
  // An IPv4 network sees the IPv4-mapped IPv6 spelling of its addresses, and no IPv6 one.
  EXPECT_TRUE(IpNetwork::Parse("127.0.0.0/8")->Contains(Ip("::ffff:127.0.0.2")));
  EXPECT_FALSE(IpNetwork::Parse("127.0.0.0/8")->Contains(Ip("::1")));
  EXPECT_TRUE(IpNetwork::Parse("0.0.0.0/0")->Contains(Ip("203.0.113.5")));
  EXPECT_FALSE(IpNetwork::Parse("0.0.0.0/0")->Contains(Ip("2001:db8::1")));
}

TEST(IpNetworkTest, BadNetworksAreErrorsNamingThem) {
  for (const char* bad : {"10.0.0.0/33", "::/129", "10.0.0/8", "10.0.0.0/", "10.0.0.0/x",
                          "example.com/8", "", "10.0.0.0/-1", "10.0.0.0/8/9"}) {
    auto n = IpNetwork::Parse(bad);
    ASSERT_FALSE(n.ok()) << bad;
    EXPECT_NE(n.error().message.find(std::string("\"") + bad + "\""), std::string::npos)
        << n.error().message;
  }
}

TEST(WebhookUrlTest, SplitsHostPortAndPath) {
  auto u = ParseWebhookUrl("https://Alerts.Example.com/api/v2/alerts?x=1#frag");
  ASSERT_TRUE(u.ok()) << u.error().message;
  EXPECT_EQ(u->scheme, "https");
  EXPECT_EQ(u->host, "alerts.example.com");
  EXPECT_EQ(u->port, 443);
  EXPECT_EQ(u->path_and_query, "/api/v2/alerts?x=1");
  u = ParseWebhookUrl("http://[fe80::1]:9093");
  ASSERT_TRUE(u.ok()) << u.error().message;
  EXPECT_EQ(u->host, "fe80::1");
  EXPECT_EQ(u->port, 9093);
  EXPECT_EQ(u->path_and_query, "/");
  u = ParseWebhookUrl("http://10.0.0.1?q");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->port, 80);
  EXPECT_EQ(u->path_and_query, "/?q");
}

TEST(WebhookUrlTest, RefusesWhatIsNotAPlainHttpUrl) {
  for (const char* bad :
       {"ftp://x/", "alerts.example.com/hook", "http:///hook", "http://:80/",
        "http://user:pw@example.com/", "http://example.com:0/", "http://example.com:65536/",
        "http://example.com:8o/", "http://[::1/", "http://[::1]x/"}) {
    auto u = ParseWebhookUrl(bad);
    EXPECT_FALSE(u.ok()) << bad;
    if (!u.ok()) {
      EXPECT_EQ(u.error().code, "InvalidWebhookURL") << bad;
    }
  }
}

WebhookTargetPolicy Policy(WebhookTargetOptions options,
                           std::map<std::string, std::vector<std::string>> names = {}) {
  auto p = WebhookTargetPolicy::Create(options, MapResolver(std::move(names)));
  EXPECT_TRUE(p.ok()) << p.error().message;
  return std::move(*p);
}

Result<std::string> CheckUrl(const WebhookTargetPolicy& p, const std::string& url) {
  auto u = ParseWebhookUrl(url);
  if (!u.ok()) return u.error();
  return p.Check(*u);
}

void ExpectRefused(const Result<std::string>& r, const std::string& says) {
  ASSERT_FALSE(r.ok()) << "allowed: " << *r;
  EXPECT_EQ(r.error().code, "WebhookTargetRefused") << r.error().message;
  EXPECT_FALSE(r.error().retryable());
  EXPECT_NE(r.error().message.find(says), std::string::npos) << r.error().message;
}

TEST(WebhookTargetPolicyTest, RefusesLoopbackLinkLocalAndTheClusterByDefault) {
  WebhookTargetOptions o;
  o.denied_cidrs = {"10.96.0.0/12", "10.244.0.0/16"};
  o.apiserver_hosts = {"172.18.0.2"};
  auto p = Policy(o, {{"localhost", {"127.0.0.1", "::1"}},
                      {"alertmanager.monitoring.svc", {"10.96.14.3"}},
                      {"pod-ip.example", {"10.244.1.9"}},
                      {"mixed.example", {"203.0.113.7", "169.254.169.254"}},
                      {"alerts.example.com", {"203.0.113.8", "2001:db8::8"}}});
  ExpectRefused(CheckUrl(p, "http://127.0.0.1:9093/api/v2/alerts"), "loopback");
  ExpectRefused(CheckUrl(p, "http://127.1.2.3/"), "loopback");
  ExpectRefused(CheckUrl(p, "http://[::1]:8080/"), "loopback");
  ExpectRefused(CheckUrl(p, "http://[::ffff:127.0.0.1]/"), "loopback");
  ExpectRefused(CheckUrl(p, "http://localhost:9901/v1/faults"),
                "localhost (127.0.0.1) is loopback");
  ExpectRefused(CheckUrl(p, "http://169.254.169.254/latest/meta-data/"), "link-local");
  ExpectRefused(CheckUrl(p, "http://[fe80::1]/"), "link-local");
  ExpectRefused(CheckUrl(p, "http://0.0.0.0:8080/"), "unspecified");
  ExpectRefused(CheckUrl(p, "http://224.0.0.1/"), "multicast");
  ExpectRefused(CheckUrl(p, "http://alertmanager.monitoring.svc:9093/"),
                "alertmanager.monitoring.svc (10.96.14.3) is in the cluster's ranges");
  ExpectRefused(CheckUrl(p, "http://pod-ip.example/"), "10.244.0.0/16");
  ExpectRefused(CheckUrl(p, "https://172.18.0.2:6443/api"), "the Kubernetes API server");
  // One refused address among several refuses the name: the connection may use any of them.
  ExpectRefused(CheckUrl(p, "http://mixed.example/"), "169.254.169.254");
  // Everything else is allowed; the address to connect to is one that was checked.
  auto ok = CheckUrl(p, "https://alerts.example.com/hook");
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  EXPECT_EQ(*ok, "203.0.113.8");
  ok = CheckUrl(p, "http://10.0.0.5:9093/");
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  EXPECT_EQ(*ok, "10.0.0.5");
}

TEST(WebhookTargetPolicyTest, TheApiServerIsRefusedByNameAndByEachAddress) {
  WebhookTargetOptions o;
  o.apiserver_hosts = {"api.cluster.internal", "10.247.0.1"};
  auto p = Policy(o, {{"api.cluster.internal", {"198.51.100.10", "198.51.100.11"}},
                      {"other-name.example", {"198.51.100.11"}}});
  ExpectRefused(CheckUrl(p, "https://api.cluster.internal/"), "the Kubernetes API server");
  ExpectRefused(CheckUrl(p, "https://other-name.example/"), "the Kubernetes API server");
  ExpectRefused(CheckUrl(p, "https://10.247.0.1/"), "the Kubernetes API server");
}

TEST(WebhookTargetPolicyTest, AnAllowListAdmitsOnlyItsEntriesAndWinsOverTheRefusals) {
  WebhookTargetOptions o;
  o.allowed = {"alertmanager.monitoring.svc", "*.alerts.example.com", "192.0.2.0/24", "::1"};
  o.denied_cidrs = {"10.96.0.0/12"};
  auto p = Policy(o, {{"alertmanager.monitoring.svc", {"10.96.14.3"}},
                      {"eu.alerts.example.com", {"203.0.113.9"}},
                      {"alerts.example.com", {"203.0.113.10"}},
                      {"evil-alerts.example.com", {"203.0.113.11"}},
                      {"hook.example", {"192.0.2.44"}}});
  auto r = CheckUrl(p, "http://alertmanager.monitoring.svc:9093/api/v2/alerts");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(*r, "10.96.14.3");
  EXPECT_TRUE(CheckUrl(p, "https://eu.alerts.example.com/").ok());
  EXPECT_TRUE(CheckUrl(p, "http://hook.example/").ok());
  EXPECT_TRUE(CheckUrl(p, "http://192.0.2.200/").ok());
  EXPECT_TRUE(CheckUrl(p, "http://[::1]:9/").ok());
  // The wildcard is for subdomains: neither the bare domain nor a look-alike suffix.
  ExpectRefused(CheckUrl(p, "https://alerts.example.com/"), "not in --alert-webhook-allow");
  ExpectRefused(CheckUrl(p, "https://evil-alerts.example.com/"), "not in --alert-webhook-allow");
  ExpectRefused(CheckUrl(p, "http://203.0.113.1/"), "not in --alert-webhook-allow");
  ExpectRefused(CheckUrl(p, "http://127.0.0.1/"), "not in --alert-webhook-allow");
}

TEST(WebhookTargetPolicyTest, UnresolvableHostsAreRetryableErrorsNotAllowed) {
  auto p = Policy({}, {{"empty.example", {}}});
  auto r = CheckUrl(p, "http://nowhere.example/");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "WebhookUnresolved");
  EXPECT_TRUE(r.error().retryable());
  r = CheckUrl(p, "http://empty.example/");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "WebhookUnresolved");
}

TEST(WebhookTargetPolicyTest, BadFlagEntriesAreErrorsNamingTheFlag) {
  WebhookTargetOptions o;
  o.allowed = {"10.0.0.0/40"};
  auto p = WebhookTargetPolicy::Create(o, MapResolver({}));
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error().code, "InvalidFlag");
  EXPECT_NE(p.error().message.find("--alert-webhook-allow: \"10.0.0.0/40\""), std::string::npos)
      << p.error().message;
  o.allowed = {"alerts.*.example.com"};
  p = WebhookTargetPolicy::Create(o, MapResolver({}));
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.error().message.find("alerts.*.example.com"), std::string::npos);
  o.allowed = {"http://alerts.example.com"};
  EXPECT_FALSE(WebhookTargetPolicy::Create(o, MapResolver({})).ok());
  o.allowed = {};
  o.denied_cidrs = {"10.96.0.0/12", "pods"};
  p = WebhookTargetPolicy::Create(o, MapResolver({}));
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.error().message.find("--alert-webhook-deny-cidrs: \"pods\""), std::string::npos)
      << p.error().message;
}

TEST(WebhookTargetPolicyTest, TheRealResolverAnswersForLiteralsAndLocalhost) {
  auto r = ResolveWithGetaddrinfo("127.0.0.1");
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ(r->front(), "127.0.0.1");
  auto p = WebhookTargetPolicy::Create({});
  ASSERT_TRUE(p.ok());
  ExpectRefused(CheckUrl(*p, "http://localhost:9093/"), "loopback");
}

}  // namespace
}  // namespace kubeheal::controllers
