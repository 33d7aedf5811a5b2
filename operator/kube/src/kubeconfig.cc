#include "kubeheal/kube/kubeconfig.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>

#include <cpprest/asyncrt_utils.h>
#include <yaml-cpp/yaml.h>

namespace kubeheal::kube {
namespace {

Result<std::string> ReadFile(const std::string& path, const std::string& what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error::Terminal("InvalidConfig", what + ": cannot read file \"" + path + "\"");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

Result<std::string> DecodeBase64(const std::string& data, const std::string& what) {
  try {
    std::string compact;
    for (char c : data) {
      if (!std::isspace(static_cast<unsigned char>(c))) compact += c;
    }
    auto bytes = utility::conversions::from_base64(compact);
    return std::string(bytes.begin(), bytes.end());
  } catch (const std::exception& e) {
    return Error::Terminal("InvalidConfig", what + ": not valid base64 (" + e.what() + ")");
  }
}

std::string Resolve(const std::string& base_dir, const std::string& path) {
  if (path.empty() || path[0] == '/' || base_dir.empty()) return path;
  return (std::filesystem::path(base_dir) / path).string();
}

// Inline "<key>-data" (base64) wins over "<key>" (a file path), as in client-go.
Result<std::string> Material(const YAML::Node& node, const std::string& key,
                             const std::string& base_dir, const std::string& where) {
  if (node[key + "-data"]) {
    return DecodeBase64(node[key + "-data"].as<std::string>(), where + "." + key + "-data");
  }
  if (node[key]) return ReadFile(Resolve(base_dir, node[key].as<std::string>()), where + "." + key);
  return std::string();
}

// The `field` of the entry called `name`; nullopt when there is no such entry (a Null
// YAML::Node would still count as "defined", hence the optional).
std::optional<YAML::Node> FindNamed(const YAML::Node& list, const std::string& name,
                                    const char* field) {
  if (!list || !list.IsSequence()) return std::nullopt;
  for (const auto& entry : list) {
    if (entry["name"] && entry["name"].as<std::string>() == name && entry[field] &&
        entry[field].IsMap()) {
      return entry[field];
    }
  }
  return std::nullopt;
}

}  // namespace

std::string ProcessEnv(const std::string& name) {
  // Read while loading the client configuration at start-up; nothing sets the environment.
  // NOLINTNEXTLINE(concurrency-mt-unsafe)
  const char* v = std::getenv(name.c_str());
  return v ? v : "";
}

Result<RestConfig> ParseKubeconfig(const std::string& yaml_text, const std::string& base_dir,
                                   const std::string& origin, const std::string& context) {
  auto fail = [&](const std::string& what) {
    return Error::Terminal("InvalidConfig", "kubeconfig " + origin + ": " + what);
  };
  try {
    YAML::Node root = YAML::Load(yaml_text);
    if (!root.IsMap()) return fail("not a YAML mapping");
    std::string ctx_name = context;
    if (ctx_name.empty() && root["current-context"])
      ctx_name = root["current-context"].as<std::string>();
    if (ctx_name.empty()) return fail("no context given and no current-context set");
    std::optional<YAML::Node> found_ctx = FindNamed(root["contexts"], ctx_name, "context");
    if (!found_ctx) return fail("context \"" + ctx_name + "\" not found in contexts");
    const YAML::Node ctx = *found_ctx;
    if (!ctx["cluster"]) return fail("context \"" + ctx_name + "\" names no cluster");
    const std::string cluster_name = ctx["cluster"].as<std::string>();
    std::optional<YAML::Node> found_cluster = FindNamed(root["clusters"], cluster_name, "cluster");
    if (!found_cluster) return fail("cluster \"" + cluster_name + "\" not found in clusters");
    const YAML::Node cluster = *found_cluster;
    if (!cluster["server"]) return fail("cluster \"" + cluster_name + "\" has no server");

    RestConfig cfg;
    cfg.server = cluster["server"].as<std::string>();
    while (!cfg.server.empty() && cfg.server.back() == '/') cfg.server.pop_back();
    if (cluster["insecure-skip-tls-verify"]) {
      cfg.insecure_skip_tls_verify = cluster["insecure-skip-tls-verify"].as<bool>();
    }
    const std::string cwhere = "clusters[" + cluster_name + "]";
    auto ca = Material(cluster, "certificate-authority", base_dir, cwhere);
    if (!ca.ok()) return fail(ca.error().message);
    cfg.ca_pem = *ca;
    if (ctx["namespace"]) cfg.default_namespace = ctx["namespace"].as<std::string>();

    if (ctx["user"]) {
      const std::string user_name = ctx["user"].as<std::string>();
      std::optional<YAML::Node> found_user = FindNamed(root["users"], user_name, "user");
      if (!found_user) return fail("user \"" + user_name + "\" not found in users");
      const YAML::Node user = *found_user;
      const std::string uwhere = "users[" + user_name + "]";
      auto cert = Material(user, "client-certificate", base_dir, uwhere);
      if (!cert.ok()) return fail(cert.error().message);
      auto key = Material(user, "client-key", base_dir, uwhere);
      if (!key.ok()) return fail(key.error().message);
      if (cert->empty() != key->empty()) {
        return fail(uwhere + ": a client certificate needs a client key and vice versa");
      }
      cfg.client_cert_pem = *cert;
      cfg.client_key_pem = *key;
      if (user["token"]) cfg.bearer_token = user["token"].as<std::string>();
      if (user["tokenFile"])
        cfg.token_file = Resolve(base_dir, user["tokenFile"].as<std::string>());
    }
    return cfg;
  } catch (const YAML::Exception& e) {
    return fail(std::string("malformed YAML: ") + e.what());
  }
}

Result<RestConfig> LoadKubeconfig(const std::string& path, const std::string& context) {
  auto text = ReadFile(path, "kubeconfig");
  if (!text.ok()) return text.error();
  return ParseKubeconfig(*text, std::filesystem::path(path).parent_path().string(), path, context);
}

Result<RestConfig> LoadInClusterConfig(const EnvLookup& env, const InClusterPaths& paths) {
  const std::string host = env("KUBERNETES_SERVICE_HOST");
  const std::string port = env("KUBERNETES_SERVICE_PORT");
  if (host.empty() || port.empty()) {
    return Error::Terminal("NotInCluster",
                           "KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must be set");
  }
  RestConfig cfg;
  cfg.server =
      "https://" + (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" + port;
  auto token = ReadFile(paths.token_file, "in-cluster service-account token");
  if (!token.ok()) return token.error();
  cfg.token_file = paths.token_file;
  auto ca = ReadFile(paths.ca_file, "in-cluster CA");
  if (!ca.ok()) return ca.error();
  cfg.ca_pem = *ca;
  auto ns = ReadFile(paths.namespace_file, "in-cluster namespace");
  if (ns.ok() && !ns->empty()) {
    std::string n = *ns;
    while (!n.empty() && std::isspace(static_cast<unsigned char>(n.back()))) n.pop_back();
    cfg.default_namespace = n;
  }
  return cfg;
}

Result<RestConfig> LoadDefaultConfig(const std::string& explicit_path) {
  if (!explicit_path.empty()) return LoadKubeconfig(explicit_path);
  auto in_cluster = LoadInClusterConfig(ProcessEnv);
  if (in_cluster.ok()) return in_cluster;
  // In a pod (the service variables are set) a broken service-account mount must be reported
  // as such, not hidden behind "no kubeconfig".
  if (in_cluster.error().code != "NotInCluster") return in_cluster;
  std::string path = ProcessEnv("KUBECONFIG");
  if (auto colon = path.find(':'); colon != std::string::npos) path = path.substr(0, colon);
  if (path.empty() && !ProcessEnv("HOME").empty()) path = ProcessEnv("HOME") + "/.kube/config";
  if (path.empty()) return Error::Terminal("InvalidConfig", "no kubeconfig and not in a cluster");
  return LoadKubeconfig(path);
}

}  // namespace kubeheal::kube
