#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "kubeheal/kube/client.h"

namespace kubeheal::kube::testing {

// The admin kubeconfig of the control plane started by the ctest fixture `control_plane`:
// $KUBEHEAL_CP_DIR/admin.kubeconfig if KUBEHEAL_CP_DIR is set, else $KUBECONFIG, else
// ~/.cache/kubeheal/run/control-plane/admin.kubeconfig.
std::string AdminKubeconfigPath();

// A client with its own transport (so two clients share no connection). Empty on error, with
// the reason in `*why`.
std::shared_ptr<Client> ClientFor(const std::string& kubeconfig, std::string* why);

// Runs a shell command from the source tree; returns its exit code and stdout (trimmed).
int RunCommand(const std::string& command, std::string* out = nullptr);

// Polls `done` every 50 ms until it returns true or `timeout` passes.
bool Eventually(const std::function<bool()>& done, std::chrono::milliseconds timeout);

// A namespace unique to one test ("kh-<prefix>-<pid>-<n>"), deleted when the scope ends.
// (Without a controller-manager the namespace only goes to Terminating; its objects stay in
// etcd, which is harmless for a throw-away control plane.)
class TestNamespace {
 public:
  TestNamespace(std::shared_ptr<Client> client, const std::string& prefix);
  ~TestNamespace();
  const std::string& name() const { return name_; }
  bool ok() const { return ok_; }
  const std::string& error() const { return error_; }

 private:
  std::shared_ptr<Client> client_;
  std::string name_;
  bool ok_ = false;
  std::string error_;
};

Json ConfigMap(const std::string& ns, const std::string& name, Json data = Json::object(),
               Json labels = Json::object());

}  // namespace kubeheal::kube::testing
