#pragma once

#include <functional>
#include <string>

#include "kubeheal/common/result.h"
#include "kubeheal/kube/rest_config.h"

namespace kubeheal::kube {

// Reads a kubeconfig file: the named context (or current-context), its cluster (server,
// certificate-authority[-data], insecure-skip-tls-verify) and user (client-certificate[-data],
// client-key[-data], token, tokenFile). Relative file paths resolve against the file's folder.
// Errors name the file and the missing or malformed entry.
Result<RestConfig> LoadKubeconfig(const std::string& path, const std::string& context = "");

// Parses kubeconfig text; `base_dir` resolves relative paths, `origin` names it in errors.
Result<RestConfig> ParseKubeconfig(const std::string& yaml_text, const std::string& base_dir,
                                   const std::string& origin, const std::string& context = "");

// Where a pod finds its service account; replaceable for tests.
struct InClusterPaths {
  std::string token_file = "/var/run/secrets/kubernetes.io/serviceaccount/token";
  std::string ca_file = "/var/run/secrets/kubernetes.io/serviceaccount/ca.crt";
  std::string namespace_file = "/var/run/secrets/kubernetes.io/serviceaccount/namespace";
};
using EnvLookup = std::function<std::string(const std::string& name)>;

// In-cluster config from KUBERNETES_SERVICE_HOST/PORT and the service-account files.
Result<RestConfig> LoadInClusterConfig(const EnvLookup& env, const InClusterPaths& paths = {});

// The operator's order: explicit path, else in-cluster, else $KUBECONFIG, else ~/.kube/config.
Result<RestConfig> LoadDefaultConfig(const std::string& explicit_path = "");

// The process environment (std::getenv), for main().
std::string ProcessEnv(const std::string& name);

}  // namespace kubeheal::kube
