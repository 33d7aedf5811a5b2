#pragma once

#include <chrono>
#include <string>

namespace kubeheal::kube {

// Where and how to reach an API server, whatever the source (kubeconfig or in-cluster).
// PEM material is held inline so that the transport never reads files it was not told about;
// only `token_file` is re-read, because projected service-account tokens rotate.
struct RestConfig {
  std::string server;  // https://host:port (no trailing slash)
  std::string ca_pem;  // empty: system trust store
  std::string client_cert_pem;
  std::string client_key_pem;
  std::string bearer_token;
  std::string token_file;  // read per request when set (wins over bearer_token)
  bool insecure_skip_tls_verify = false;
  std::string default_namespace = "default";
  std::chrono::seconds request_timeout{30};
  std::string user_agent = "kubeheal";
};

}  // namespace kubeheal::kube
