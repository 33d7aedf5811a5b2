#include "kubeheal/kube/informer.h"

namespace kubeheal::kube {

Informer::Informer(std::shared_ptr<Client> client, ReflectorOptions options,
                   std::shared_ptr<Clock> clock, std::shared_ptr<KubeMetrics> metrics)
    : reflector_(std::move(client), std::move(options), cache_, std::move(clock),
                 std::move(metrics)) {}

Informer::~Informer() { Stop(); }

void Informer::AddHandlers(ResourceEventHandlers handlers) {
  handlers_.push_back(std::move(handlers));
}

void Informer::Start() {
  if (thread_.joinable()) return;
  thread_ = std::thread([this] {
    reflector_.Run(
        cancel_, [this](const CacheDelta& d) { Dispatch(d); },
        [this] {
          {
            std::lock_guard lock(sync_mu_);
            synced_ = true;
          }
          sync_cv_.notify_all();
        });
  });
}

void Informer::Stop() {
  cancel_.Cancel();
  if (thread_.joinable()) thread_.join();
}

bool Informer::WaitForSync(std::chrono::nanoseconds timeout) const {
  std::unique_lock lock(sync_mu_);
  return sync_cv_.wait_for(lock, timeout, [this] { return synced_.load(); });
}

void Informer::Dispatch(const CacheDelta& d) {
  for (const auto& h : handlers_) {
    switch (d.type) {
      case CacheDelta::Type::kAdded:
        if (h.on_add) h.on_add(d.object);
        break;
      case CacheDelta::Type::kUpdated:
        if (h.on_update) h.on_update(d.old_object, d.object);
        break;
      case CacheDelta::Type::kDeleted:
        if (h.on_delete) h.on_delete(d.object);
        break;
    }
  }
}

}  // namespace kubeheal::kube
