#include "test_environment.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include <cpprest/http_client.h>
#include <cpprest/http_listener.h>

namespace kubeheal::itest {

using utility::conversions::to_string_t;

std::string TempDir(const std::string& prefix) {
  std::string templ = "/tmp/" + prefix + "-XXXXXX";
  std::vector<char> buf(templ.begin(), templ.end());
  buf.push_back('\0');
  return mkdtemp(buf.data());
}

void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream out(path);
  out << text;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool WaitFor(const std::function<bool()>& done, std::chrono::seconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
  return done();
}

int HttpGetStatus(const std::string& url, std::chrono::milliseconds timeout) {
  try {
    web::http::client::http_client_config config;
    config.set_timeout(timeout);
    web::http::client::http_client client(to_string_t(url), config);
    auto response = client.request(web::http::methods::GET).get();
    response.extract_string().wait();
    return response.status_code();
  } catch (const std::exception&) {
    return 0;
  }
}

std::string HttpGetBody(const std::string& url, std::chrono::milliseconds timeout) {
  try {
    web::http::client::http_client_config config;
    config.set_timeout(timeout);
    web::http::client::http_client client(to_string_t(url), config);
    auto response = client.request(web::http::methods::GET).get();
    auto body = response.extract_utf8string(true).get();
    return response.status_code() == 200 ? body : "";
  } catch (const std::exception&) {
    return "";
  }
}

std::string Kubeconfig() {
  if (const char* k = std::getenv("KUBECONFIG"); k && *k) return k;
  std::string dir;
  if (const char* d = std::getenv("KUBEHEAL_CP_DIR"); d && *d) {
    dir = d;
  } else {
    dir = std::string(std::getenv("HOME") ? std::getenv("HOME") : "/root") +
          "/.cache/kubeheal/run/control-plane";
  }
  return dir + "/admin.kubeconfig";
}

CommandResult Kubectl(const std::string& args, const std::string& stdin_text) {
  return Shell("kubectl --kubeconfig '" + Kubeconfig() + "' " + args, stdin_text);
}

CommandResult Shell(const std::string& command, const std::string& stdin_text) {
  const std::string dir = TempDir("shell");
  const std::string in = dir + "/in";
  WriteFile(in, stdin_text);
  const std::string cmd = command + " < " + in + " 2>&1";
  CommandResult r;
  FILE* pipe = popen(cmd.c_str(), "r");
  if (!pipe) return r;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, pipe)) > 0) r.output.append(buf, n);
  const int status = pclose(pipe);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::remove(in.c_str());
  rmdir(dir.c_str());
  return r;
}

Json KubectlJson(const std::string& args) {
  auto r = Kubectl(args + " -o json");
  if (r.code != 0) return nullptr;
  auto j = Json::parse(r.output, nullptr, false);
  return j.is_discarded() ? Json(nullptr) : j;
}

std::string Binary(const char* compiled, const char* env) {
  if (const char* e = std::getenv(env); e && *e) return e;
  return compiled;
}

bool Executable(const std::string& path) {
  struct stat st {};
  return !path.empty() && stat(path.c_str(), &st) == 0 && (st.st_mode & S_IXUSR);
}

CommandResult CreateAgentPod(const std::string& ns, const std::string& name, const std::string& ip,
                             int admin_port) {
  const Json manifest = {
      {"apiVersion", "v1"},
      {"kind", "Pod"},
      {"metadata",
       {{"name", name},
        {"labels", {{"app", "web"}}},
        {"annotations", {{"kubeheal.io/agent-admin-port", std::to_string(admin_port)}}}}},
      {"spec",
       {{"automountServiceAccountToken", false},
        {"containers", {{{"name", "app"}, {"image", "kubeheal/pause:dev"}}}}}}};
  auto created = Kubectl("-n " + ns + " apply -f -", manifest.dump());
  if (created.code != 0) return created;
  const Json status = {{"status",
                        {{"phase", "Running"},
                         {"podIP", ip},
                         {"podIPs", {{{"ip", ip}}}},
                         {"conditions", {{{"type", "Ready"}, {"status", "True"}}}}}}};
  return Kubectl("-n " + ns + " patch pod " + name + " --subresource=status --type=merge -p '" +
                 status.dump() + "'");
}

void DeleteTestNamespace(const std::string& ns, const std::vector<std::string>& scenarios) {
  for (const auto& name : scenarios) {
    Kubectl("-n " + ns + " patch faultscenario " + name +
            " --type=merge -p '{\"metadata\":{\"finalizers\":[]}}'");
  }
  Kubectl("delete namespace " + ns + " --wait=false");
}

struct Upstream::Impl {
  std::unique_ptr<web::http::experimental::listener::http_listener> listener;
};

Upstream::Upstream() : port_(FreePort()), impl_(std::make_unique<Impl>()) {
  impl_->listener = std::make_unique<web::http::experimental::listener::http_listener>(
      to_string_t("http://127.0.0.1:" + std::to_string(port_)));
  impl_->listener->support([](web::http::http_request req) {
    req.reply(web::http::status_codes::OK, "ok\n", "text/plain").wait();
  });
  impl_->listener->open().wait();
}

Upstream::~Upstream() { impl_->listener->close().wait(); }

struct RequestRecorder::Impl {
  std::unique_ptr<web::http::experimental::listener::http_listener> listener;
  mutable std::mutex mu;
  std::vector<Request> requests;
};

RequestRecorder::RequestRecorder() : port_(FreePort()), impl_(std::make_unique<Impl>()) {
  impl_->listener = std::make_unique<web::http::experimental::listener::http_listener>(
      to_string_t("http://127.0.0.1:" + std::to_string(port_)));
  impl_->listener->support([impl = impl_.get()](web::http::http_request req) {
    Request r;
    r.method = utility::conversions::to_utf8string(req.method());
    r.path = utility::conversions::to_utf8string(req.relative_uri().to_string());
    const auto& headers = req.headers();
    if (auto it = headers.find(to_string_t("Authorization")); it != headers.end()) {
      r.authorization = utility::conversions::to_utf8string(it->second);
    }
    {
      std::lock_guard lock(impl->mu);
      impl->requests.push_back(std::move(r));
    }
    web::http::http_response response(web::http::status_codes::Unauthorized);
    response.headers().add(to_string_t("WWW-Authenticate"), to_string_t("Bearer"));
    response.set_body(std::string("{\"error\":\"recorder\"}"), "application/json");
    req.reply(response).wait();
  });
  impl_->listener->open().wait();
}

RequestRecorder::~RequestRecorder() { impl_->listener->close().wait(); }

std::vector<RequestRecorder::Request> RequestRecorder::requests() const {
  std::lock_guard lock(impl_->mu);
  return impl_->requests;
}

TrafficGenerator::TrafficGenerator(std::vector<std::string> urls, int rps) {
  for (const auto& url : urls) {
    threads_.emplace_back([this, url, rps] {
      const auto period = std::chrono::microseconds(1'000'000 / std::max(1, rps));
      auto next = std::chrono::steady_clock::now();
      while (!stop_.load()) {
        // Latency faults hold a request; several in flight keep the rate steady.
        std::thread([url, sent = sent_] {
          HttpGetStatus(url, std::chrono::seconds(5));
          ++*sent;
        }).detach();
        next += period;
        std::this_thread::sleep_until(next);
      }
    });
  }
}

TrafficGenerator::~TrafficGenerator() {
  stop_ = true;
  for (auto& t : threads_) t.join();
  // Detached requests finish within their 5 s timeout.
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
}

}  // namespace kubeheal::itest
