#include "test_cluster.h"

#include <unistd.h>

#include <array>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <thread>

#include "kubeheal/kube/cpprest_transport.h"
#include "kubeheal/kube/kubeconfig.h"

namespace kubeheal::kube::testing {

std::string AdminKubeconfigPath() {
  if (const char* dir = std::getenv("KUBEHEAL_CP_DIR"); dir && *dir) {
    return std::string(dir) + "/admin.kubeconfig";
  }
  if (const char* kc = std::getenv("KUBECONFIG"); kc && *kc) return kc;
  const char* home = std::getenv("HOME");
  return std::string(home ? home : "/root") + "/.cache/kubeheal/run/control-plane/admin.kubeconfig";
}

std::shared_ptr<Client> ClientFor(const std::string& kubeconfig, std::string* why) {
  auto cfg = LoadKubeconfig(kubeconfig);
  if (!cfg.ok()) {
    *why = cfg.error().ToString();
    return nullptr;
  }
  auto transport = CpprestTransport::Create(*cfg);
  if (!transport.ok()) {
    *why = transport.error().ToString();
    return nullptr;
  }
  return std::make_shared<Client>(*transport);
}

int RunCommand(const std::string& command, std::string* out) {
  FILE* p = ::popen(command.c_str(), "r");
  if (!p) return -1;
  std::string text;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) text.append(buf.data(), n);
  const int status = ::pclose(p);
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  if (out) *out = text;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

bool Eventually(const std::function<bool()>& done, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return done();
}

TestNamespace::TestNamespace(std::shared_ptr<Client> client, const std::string& prefix)
    : client_(std::move(client)) {
  static std::atomic<int> counter{0};
  std::random_device rd;
  name_ = "kh-" + prefix + "-" + std::to_string(::getpid() % 100000) + "-" +
          std::to_string(rd() % 10000) + "-" + std::to_string(++counter);
  Json ns = {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", name_}}}};
  auto r = client_->Create(GroupVersionResource::Namespaces(), "", ns);
  ok_ = r.ok();
  if (!ok_) error_ = r.error().ToString();
}

TestNamespace::~TestNamespace() {
  if (ok_) (void)client_->Delete(GroupVersionResource::Namespaces(), "", name_);
}

Json ConfigMap(const std::string& ns, const std::string& name, Json data, Json labels) {
  return {{"apiVersion", "v1"},
          {"kind", "ConfigMap"},
          {"metadata", {{"name", name}, {"namespace", ns}, {"labels", labels}}},
          {"data", data}};
}

}  // namespace kubeheal::kube::testing
