// The images hack/images.sh builds without a registry: each starts under Docker, runs as user
// 65532 and answers its health endpoint; the tarballs import into containerd. Skipped (with the
// reason) when no Docker engine answers; .ci/run starts one with hack/docker-up.sh.
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <thread>

#include <gtest/gtest.h>

#include "free_port.h"
#include "http_test_client.h"
#include "service_process.h"

namespace kubeheal::samples::testing {
namespace {

using test_support::FreePort;

namespace fs = std::filesystem;

bool DockerAnswers() {
  std::string out;
  return RunCommand("docker info", out, std::chrono::seconds(20)) == 0;
}

std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

bool WaitForHealth(unsigned short port, const std::string& path, std::chrono::seconds within) {
  auto deadline = std::chrono::steady_clock::now() + within;
  while (std::chrono::steady_clock::now() < deadline) {
    if (Request(port, "GET", path, "", std::chrono::milliseconds(500)).status == 200) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

// A container started for a test, removed (forcibly) when the object dies.
class Container {
 public:
  explicit Container(std::string name) : name_(std::move(name)) {}
  ~Container() {
    std::string out;
    RunCommand("docker rm -f " + name_, out);
  }
  const std::string& name() const { return name_; }

 private:
  std::string name_;
};

class Images : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!DockerAnswers()) return;
    // Build the images of every binary this build has (others are skipped by the script).
    std::string out;
    build_status_ = RunCommand(SourceDir() + "/hack/images.sh " + KUBEHEAL_BUILD_DIR, out,
                               std::chrono::seconds(300));
    build_output_ = out;
    std::cout << out;
  }

  void SetUp() override {
    if (!DockerAnswers()) {
      GTEST_SKIP() << "no Docker engine answers (`docker info` failed): start one with "
                      "hack/docker-up.sh; .ci/run does";
    }
    ASSERT_EQ(build_status_, 0) << build_output_;
    char tmpl[] = "/tmp/kubeheal-image-test-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    fs::permissions(dir_, fs::perms::all);  // user 65532 in the container writes here
  }

  void TearDown() override {
    if (!dir_.empty()) fs::remove_all(dir_);
  }

  static bool ImageExists(const std::string& name) {
    std::string out;
    return RunCommand("docker image inspect kubeheal/" + name + ":dev", out) == 0;
  }

  std::string Unique(const std::string& what) {
    return "kubeheal-test-" + what + "-" + std::to_string(getpid());
  }

  // Starts a sample-service image on the host network with --listen 127.0.0.1:0; returns the
  // port it wrote to the shared directory (0 on failure).
  unsigned short RunService(const Container& c, const std::string& image,
                            const std::string& extra = "") {
    std::string out;
    std::string port_dir = "/run/kubeheal-test";
    int status =
        RunCommand("docker run -d --name " + c.name() + " --network host -v " + dir_ + ":" +
                       port_dir + " kubeheal/" + image + ":dev --listen 127.0.0.1:0 --port-file " +
                       port_dir + "/" + image + ".port " + extra,
                   out);
    EXPECT_EQ(status, 0) << out;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
    while (std::chrono::steady_clock::now() < deadline) {
      std::ifstream in(dir_ + "/" + image + ".port");
      unsigned port = 0;
      if (in >> port && port) return static_cast<unsigned short>(port);
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    RunCommand("docker logs " + c.name(), out);
    ADD_FAILURE() << image << " wrote no port file; logs: " << out;
    return 0;
  }

  static inline int build_status_ = -1;
  static inline std::string build_output_;
  std::string dir_;
};

TEST_F(Images, SampleServiceImagesAnswerHealthAsUser65532AndStopCleanly) {
  for (const std::string image : {"users", "payments", "orders"}) {
    SCOPED_TRACE(image);
    ASSERT_TRUE(ImageExists(image)) << build_output_;
    std::string out;
    ASSERT_EQ(
        RunCommand("docker image inspect -f '{{.Config.User}}' kubeheal/" + image + ":dev", out),
        0);
    EXPECT_EQ(Trim(out), "65532:65532");
    Container c(Unique(image));
    unsigned short port = RunService(c, image);
    ASSERT_NE(port, 0);
    Answer health = Request(port, "GET", "/health");
    EXPECT_EQ(health.status, 200) << health.error;
    EXPECT_EQ(health.Json()["service"], image);
    ASSERT_EQ(RunCommand("docker top " + c.name() + " -o pid,user", out), 0) << out;
    EXPECT_NE(out.find("65532"), std::string::npos) << out;
    ASSERT_EQ(RunCommand("docker stop -t 10 " + c.name() +
                             " && docker inspect -f "
                             "'{{.State.ExitCode}}' " +
                             c.name(),
                         out),
              0);
    EXPECT_EQ(Trim(out).substr(Trim(out).rfind('\n') + 1), "0") << out;
  }
}

TEST_F(Images, LoadgenImageChecksHealthOfARunningService) {
  ASSERT_TRUE(ImageExists("loadgen"));
  Container users(Unique("users-for-loadgen"));
  unsigned short port = RunService(users, "users");
  ASSERT_NE(port, 0);
  std::string out;
  EXPECT_EQ(RunCommand("docker run --rm --network host kubeheal/loadgen:dev health --services "
                       "users=http://127.0.0.1:" +
                           std::to_string(port),
                       out),
            0)
      << out;
  EXPECT_NE(out.find("healthy"), std::string::npos) << out;
  EXPECT_EQ(RunCommand("docker run --rm --network host kubeheal/loadgen:dev --quiet --rate 50 "
                       "--duration 1s --target http://127.0.0.1:" +
                           std::to_string(port),
                       out),
            0)
      << out;
  EXPECT_NE(out.find("200: 5"), std::string::npos) << out;  // ~50 answers with status 200
}

TEST_F(Images, PauseImageRunsAndStopsOnSigterm) {
  ASSERT_TRUE(ImageExists("pause"));
  Container c(Unique("pause"));
  std::string out;
  ASSERT_EQ(RunCommand("docker run -d --name " + c.name() + " kubeheal/pause:dev", out), 0) << out;
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  ASSERT_EQ(RunCommand("docker inspect -f '{{.State.Running}}' " + c.name(), out), 0);
  EXPECT_EQ(Trim(out), "true");
  auto start = std::chrono::steady_clock::now();
  ASSERT_EQ(RunCommand("docker stop -t 10 " + c.name(), out), 0) << out;
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5))
      << "pause ignored SIGTERM and was killed after the grace period";
  ASSERT_EQ(RunCommand("docker inspect -f '{{.State.ExitCode}}' " + c.name(), out), 0);
  EXPECT_EQ(Trim(out), "0");
}

TEST_F(Images, AgentImageAnswersHealthz) {
  if (!ImageExists("agent")) {
    GTEST_SKIP() << "kubeheal-agent is not built in " << KUBEHEAL_BUILD_DIR
                 << ", so hack/images.sh made no agent image";
  }
  unsigned short data = FreePort(), admin = FreePort();
  Container c(Unique("agent"));
  std::string out;
  ASSERT_EQ(RunCommand("docker run -d --name " + c.name() +
                           " --network host kubeheal/agent:dev "
                           "--listen 127.0.0.1:" +
                           std::to_string(data) + " --admin 127.0.0.1:" + std::to_string(admin) +
                           " --upstream 127.0.0.1:1",
                       out),
            0)
      << out;
  bool healthy = WaitForHealth(admin, "/healthz", std::chrono::seconds(15));
  RunCommand("docker logs " + c.name(), out);
  EXPECT_TRUE(healthy) << "agent logs: " << out;
}

TEST_F(Images, OperatorImageHasEverySharedLibrary) {
  if (!ImageExists("operator")) {
    GTEST_SKIP() << "kubeheal-operator is not built in " << KUBEHEAL_BUILD_DIR
                 << ", so hack/images.sh made no operator image";
  }
  // Without a cluster the operator cannot become ready; what the image must guarantee is that
  // the binary loads: a missing library fails before main() with the loader's message.
  std::string out;
  int status = RunCommand("docker run --rm kubeheal/operator:dev --help", out);
  EXPECT_EQ(out.find("error while loading shared libraries"), std::string::npos) << out;
  EXPECT_NE(status, 127) << out;
}

TEST_F(Images, TarballsImportIntoContainerd) {
  const std::string socket = "/run/docker/containerd/containerd.sock";
  std::string out;
  if (!fs::exists(socket) || RunCommand("command -v ctr", out) != 0) {
    GTEST_SKIP() << "no containerd socket at " << socket << " or no ctr binary";
  }
  const std::string ns = "kubeheal-test-" + std::to_string(getpid());
  for (const std::string image : {"users", "pause"}) {
    std::string tarball = std::string(KUBEHEAL_BUILD_DIR) + "/images/" + image + ".tar";
    ASSERT_TRUE(fs::exists(tarball)) << tarball;
    EXPECT_EQ(
        RunCommand("ctr --address " + socket + " -n " + ns + " images import " + tarball, out), 0)
        << out;
    EXPECT_EQ(RunCommand("ctr --address " + socket + " -n " + ns + " images ls -q", out), 0);
    EXPECT_NE(out.find("docker.io/kubeheal/" + image + ":dev"), std::string::npos) << out;
  }
  RunCommand("ctr --address " + socket + " -n " + ns +
                 " images rm docker.io/kubeheal/users:dev "
                 "docker.io/kubeheal/pause:dev",
             out);
  RunCommand("ctr --address " + socket + " namespaces rm " + ns, out);
}

}  // namespace
}  // namespace kubeheal::samples::testing
