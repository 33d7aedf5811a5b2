#include "kubeheal/kube/health_server.h"

#include <cpprest/http_listener.h>
#include <prometheus/text_serializer.h>

namespace kubeheal::kube {
namespace http = web::http;

struct HealthServer::Impl {
  std::string address;
  std::shared_ptr<prometheus::Registry> registry;
  std::vector<std::shared_ptr<prometheus::Collectable>> collectables;  // guarded by mu
  std::mutex mu;
  std::map<std::string, Check> health, ready;
  std::unique_ptr<http::experimental::listener::http_listener> listener;

  std::pair<int, std::string> Evaluate(const std::map<std::string, Check>& checks) {
    std::string failed;
    for (const auto& [name, check] : checks) {
      Status s = check();
      if (!s.ok()) failed += "[-] " + name + ": " + s.error().ToString() + "\n";
    }
    return failed.empty() ? std::make_pair(200, std::string("ok\n")) : std::make_pair(500, failed);
  }

  void Handle(const http::http_request& req) {
    const std::string path = req.relative_uri().path();
    int code = 404;
    std::string body = "not found\n";
    std::string type = "text/plain; charset=utf-8";
    if (path == "/healthz" || path == "/readyz") {
      std::map<std::string, Check> checks;
      {
        std::lock_guard lock(mu);
        checks = path == "/healthz" ? health : ready;
      }
      std::tie(code, body) = Evaluate(checks);
    } else if (path == "/metrics" && registry) {
      code = 200;
      auto families = registry->Collect();
      std::vector<std::shared_ptr<prometheus::Collectable>> extra;
      {
        std::lock_guard lock(mu);
        extra = collectables;
      }
      for (const auto& c : extra) {
        auto more = c->Collect();
        families.insert(families.end(), std::make_move_iterator(more.begin()),
                        std::make_move_iterator(more.end()));
      }
      body = prometheus::TextSerializer().Serialize(families);
      type = "text/plain; version=0.0.4";
    }
    req.reply(code, body, type).wait();
  }
};

HealthServer::HealthServer(std::string address, std::shared_ptr<prometheus::Registry> registry)
    : impl_(std::make_unique<Impl>()) {
  impl_->address = std::move(address);
  impl_->registry = std::move(registry);
}

HealthServer::~HealthServer() { Stop(); }

void HealthServer::AddHealthCheck(const std::string& name, Check check) {
  std::lock_guard lock(impl_->mu);
  impl_->health[name] = std::move(check);
}

void HealthServer::AddReadyCheck(const std::string& name, Check check) {
  std::lock_guard lock(impl_->mu);
  impl_->ready[name] = std::move(check);
}

void HealthServer::AddCollectable(std::shared_ptr<prometheus::Collectable> collectable) {
  std::lock_guard lock(impl_->mu);
  impl_->collectables.push_back(std::move(collectable));
}

Status HealthServer::Start() {
  std::string host_port = impl_->address;
  if (!host_port.empty() && host_port[0] == ':') host_port = "0.0.0.0" + host_port;
  try {
    impl_->listener = std::make_unique<http::experimental::listener::http_listener>(
        web::uri("http://" + host_port + "/"));
    Impl* impl = impl_.get();
    impl_->listener->support([impl](const http::http_request& req) { impl->Handle(req); });
    impl_->listener->open().wait();
  } catch (const std::exception& e) {
    impl_->listener.reset();
    return Error::Terminal("ListenFailed",
                           "health server on \"" + impl_->address + "\": " + e.what());
  }
  return Status::Ok();
}

void HealthServer::Stop() {
  if (!impl_ || !impl_->listener) return;
  try {
    impl_->listener->close().wait();
  } catch (const std::exception&) {
    // Closing a listener whose socket already failed is not worth reporting at shutdown.
  }
  impl_->listener.reset();
}

}  // namespace kubeheal::kube
