#include "kubeheal/kube/kubeconfig.h"

#include <filesystem>
#include <fstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace kubeheal::kube {
namespace {

using ::testing::HasSubstr;

class KubeconfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("kubeconfig_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string Write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / name) << text;
    return (dir_ / name).string();
  }
  std::filesystem::path dir_;
};

// "CA PEM" / "CERT PEM" / "KEY PEM" in base64.
constexpr const char* kConfig = R"(
apiVersion: v1
kind: Config
current-context: admin
clusters:
- name: local
  cluster:
    server: https://127.0.0.1:6443/
    certificate-authority-data: Q0EgUEVN
- name: files
  cluster:
    server: https://10.0.0.1:443
    certificate-authority: ca.crt
- name: lab
  cluster:
    server: https://lab:6443
    insecure-skip-tls-verify: true
users:
- name: admin
  user:
    client-certificate-data: Q0VSVCBQRU0=
    client-key-data: S0VZIFBFTQ==
- name: filecert
  user:
    client-certificate: certs/client.crt
    client-key: certs/client.key
- name: robot
  user:
    token: abc.def
- name: rotating
  user:
    tokenFile: /var/run/token
contexts:
- name: admin
  context: {cluster: local, user: admin}
- name: files
  context: {cluster: files, user: filecert, namespace: team-a}
- name: robot
  context: {cluster: lab, user: robot}
- name: rotating
  context: {cluster: lab, user: rotating}
- name: broken
  context: {cluster: nowhere, user: admin}
)";

TEST_F(KubeconfigTest, CurrentContextWithInlineCertificates) {
  auto cfg = ParseKubeconfig(kConfig, dir_.string(), "test");
  ASSERT_TRUE(cfg.ok()) << cfg.error().ToString();
  EXPECT_EQ(cfg->server, "https://127.0.0.1:6443");
  EXPECT_EQ(cfg->ca_pem, "CA PEM");
  EXPECT_EQ(cfg->client_cert_pem, "CERT PEM");
  EXPECT_EQ(cfg->client_key_pem, "KEY PEM");
  EXPECT_FALSE(cfg->insecure_skip_tls_verify);
  EXPECT_EQ(cfg->default_namespace, "default");
}

TEST_F(KubeconfigTest, FilesResolveRelativeToTheKubeconfig) {
  std::filesystem::create_directories(dir_ / "certs");
  Write("ca.crt", "FILE CA");
  Write("certs/client.crt", "FILE CERT");
  Write("certs/client.key", "FILE KEY");
  const std::string path = Write("config", kConfig);
  auto cfg = LoadKubeconfig(path, "files");
  ASSERT_TRUE(cfg.ok()) << cfg.error().ToString();
  EXPECT_EQ(cfg->ca_pem, "FILE CA");
  EXPECT_EQ(cfg->client_cert_pem, "FILE CERT");
  EXPECT_EQ(cfg->client_key_pem, "FILE KEY");
  EXPECT_EQ(cfg->default_namespace, "team-a");
}

TEST_F(KubeconfigTest, TokensAndInsecureSkipVerify) {
  auto robot = ParseKubeconfig(kConfig, "", "test", "robot");
  ASSERT_TRUE(robot.ok());
  EXPECT_EQ(robot->bearer_token, "abc.def");
  EXPECT_TRUE(robot->insecure_skip_tls_verify);
  EXPECT_TRUE(robot->ca_pem.empty());
  auto rotating = ParseKubeconfig(kConfig, "", "test", "rotating");
  ASSERT_TRUE(rotating.ok());
  EXPECT_EQ(rotating->token_file, "/var/run/token");
}

TEST_F(KubeconfigTest, ErrorsNameTheFileAndTheEntry) {
  auto missing_ctx = ParseKubeconfig(kConfig, "", "/etc/kube.conf", "nope");
  ASSERT_FALSE(missing_ctx.ok());
  EXPECT_THAT(missing_ctx.error().message, HasSubstr("/etc/kube.conf"));
  EXPECT_THAT(missing_ctx.error().message, HasSubstr("context \"nope\" not found"));
  auto broken = ParseKubeconfig(kConfig, "", "x", "broken");
  ASSERT_FALSE(broken.ok());
  EXPECT_THAT(broken.error().message, HasSubstr("cluster \"nowhere\" not found"));
  auto missing_file = ParseKubeconfig(kConfig, "/nonexistent", "x", "files");
  ASSERT_FALSE(missing_file.ok());
  EXPECT_THAT(missing_file.error().message, HasSubstr("/nonexistent/ca.crt"));
  auto not_yaml = ParseKubeconfig("clusters: [unclosed", "", "x");
  ASSERT_FALSE(not_yaml.ok());
  EXPECT_THAT(not_yaml.error().message, HasSubstr("malformed YAML"));
  auto bad_b64 = ParseKubeconfig(R"(
current-context: c
clusters: [{name: k, cluster: {server: "https://x", certificate-authority-data: "%%%"}}]
contexts: [{name: c, context: {cluster: k}}]
)",
                                 "", "x");
  ASSERT_FALSE(bad_b64.ok());
  EXPECT_THAT(bad_b64.error().message, HasSubstr("certificate-authority-data"));
  auto no_file = LoadKubeconfig((dir_ / "absent").string());
  ASSERT_FALSE(no_file.ok());
  EXPECT_THAT(no_file.error().message, HasSubstr("absent"));
}

TEST_F(KubeconfigTest, InClusterReadsServiceAccountFilesAndEnvironment) {
  InClusterPaths paths{Write("token", "tok\n"), Write("ca.crt", "SA CA"),
                       Write("namespace", "ops\n")};
  auto env = [](const std::string& name) -> std::string {
    if (name == "KUBERNETES_SERVICE_HOST") return "10.96.0.1";
    if (name == "KUBERNETES_SERVICE_PORT") return "443";
    return "";
  };
  auto cfg = LoadInClusterConfig(env, paths);
  ASSERT_TRUE(cfg.ok()) << cfg.error().ToString();
  EXPECT_EQ(cfg->server, "https://10.96.0.1:443");
  EXPECT_EQ(cfg->ca_pem, "SA CA");
  EXPECT_EQ(cfg->token_file, paths.token_file);
  EXPECT_EQ(cfg->default_namespace, "ops");
  auto v6 = LoadInClusterConfig(
      [](const std::string& n) { return n == "KUBERNETES_SERVICE_HOST" ? "fd00::1" : "443"; },
      paths);
  ASSERT_TRUE(v6.ok());
  EXPECT_EQ(v6->server, "https://[fd00::1]:443");
  auto outside = LoadInClusterConfig([](const std::string&) { return std::string(); }, paths);
  ASSERT_FALSE(outside.ok());
  EXPECT_EQ(outside.error().code, "NotInCluster");
}

}  // namespace
}  // namespace kubeheal::kube
