#include "kubeheal/kube/cpprest_transport.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <mutex>

#include <cpprest/http_listener.h>
#include <gtest/gtest.h>

#include "free_port.h"

namespace kubeheal::kube {
namespace {

using test_support::FreePort;

// A real HTTP server on loopback that records the Authorization header of each request.
class AuthRecordingServer {
 public:
  AuthRecordingServer() : port_(FreePort()) {
    listener_ = std::make_unique<web::http::experimental::listener::http_listener>(
        "http://127.0.0.1:" + std::to_string(port_) + "/");
    listener_->support([this](web::http::http_request req) {
      {
        std::lock_guard lock(mu_);
        auto h = req.headers().find("Authorization");
        seen_.push_back(h == req.headers().end() ? "" : h->second);
      }
      req.reply(200, "{}", "application/json").wait();
    });
    listener_->open().wait();
  }
  ~AuthRecordingServer() { listener_->close().wait(); }
  int port() const { return port_; }
  std::vector<std::string> seen() {
    std::lock_guard lock(mu_);
    return seen_;
  }

 private:
  int port_;
  std::unique_ptr<web::http::experimental::listener::http_listener> listener_;
  std::mutex mu_;
  std::vector<std::string> seen_;
};

// In a pod the service-account token is a projected file that the kubelet rotates; every
// request must carry the token the file holds at that moment.
TEST(CpprestTransportTest, ReReadsARotatedTokenFileOnEveryRequest) {
  AuthRecordingServer server;
  const auto dir =
      std::filesystem::temp_directory_path() / ("kubeheal-token-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto token_file = (dir / "token").string();
  std::ofstream(token_file) << "first-token\n";
  RestConfig config;
  config.server = "http://127.0.0.1:" + std::to_string(server.port());
  config.token_file = token_file;
  config.bearer_token = "static-fallback";
  auto transport = CpprestTransport::Create(config);
  ASSERT_TRUE(transport.ok()) << transport.error().ToString();
  HttpRequest request;
  request.path_and_query = "/api";
  ASSERT_TRUE((*transport)->Send(request).ok());
  // The kubelet swaps the file atomically (a symlink flip); a rename does the same here.
  std::ofstream(token_file + ".new") << "rotated-token";
  std::filesystem::rename(token_file + ".new", token_file);
  ASSERT_TRUE((*transport)->Send(request).ok());
  std::filesystem::remove_all(dir);
  EXPECT_EQ(server.seen(),
            (std::vector<std::string>{"Bearer first-token", "Bearer rotated-token"}));
}

}  // namespace
}  // namespace kubeheal::kube
