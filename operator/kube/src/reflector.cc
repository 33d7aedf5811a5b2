#include "kubeheal/kube/reflector.h"

#include "kubeheal/common/logger.h"
#include "kubeheal/kube/kube_metrics.h"

namespace kubeheal::kube {

void StripManagedFields(nlohmann::json& object) {
  if (auto m = object.find("metadata"); m != object.end() && m->is_object())
    m->erase("managedFields");
}

Reflector::Reflector(std::shared_ptr<Client> client, ReflectorOptions options, ObjectCache& cache,
                     std::shared_ptr<Clock> clock, std::shared_ptr<KubeMetrics> metrics,
                     std::shared_ptr<RandomSource> random)
    : client_(std::move(client)),
      options_(std::move(options)),
      cache_(cache),
      clock_(std::move(clock)),
      metrics_(std::move(metrics)),
      machine_(Backoff(options_.backoff, std::move(random))) {
  if (!options_.start_resource_version.empty())
    machine_.ResumeFrom(options_.start_resource_version);
}

std::string Reflector::last_error() const {
  std::lock_guard lock(error_mu_);
  return last_error_;
}

void Reflector::Restarted(const std::string& reason) {
  ++watch_restarts_;
  if (metrics_) metrics_->WatchRestarted(options_.resource.QualifiedName(), reason);
}

void Reflector::Run(CancelToken& cancel, const DeltaSink& on_delta,
                    const std::function<void()>& on_synced) {
  while (!cancel.cancelled()) {
    const WatchStateMachine::Action action = machine_.Next();
    switch (action.kind) {
      case WatchStateMachine::ActionKind::kList:
        DoList(on_delta, on_synced);
        break;
      case WatchStateMachine::ActionKind::kWatch:
        DoWatch(cancel, action.resource_version, on_delta);
        break;
      case WatchStateMachine::ActionKind::kWait:
        if (cancel.WaitFor(*clock_, action.delay)) return;
        machine_.OnWaited();
        break;
    }
  }
}

void Reflector::DoList(const DeltaSink& on_delta, const std::function<void()>& on_synced) {
  ListOptions lo;
  lo.label_selector = options_.label_selector;
  lo.field_selector = options_.field_selector;
  lo.limit = options_.page_size;
  ApiResult<ListPage> page = client_->ListAll(options_.resource, options_.namespace_, lo);
  ++lists_;
  if (!page.ok()) {
    {
      std::lock_guard lock(error_mu_);
      last_error_ = page.error().ToString();
    }
    Log().Warn("reflector list failed", {{"resource", options_.resource.QualifiedName()},
                                         {"error", page.error().ToString()}});
    machine_.OnListFailed(page.error(), clock_->SteadyNow());
    return;
  }
  if (options_.transform) {
    for (auto& item : page->items) options_.transform(item);
  }
  for (const CacheDelta& d : cache_.Replace(std::move(page->items))) on_delta(d);
  machine_.OnListed(page->resource_version);
  on_synced();
}

void Reflector::DoWatch(CancelToken& cancel, const std::string& rv, const DeltaSink& on_delta) {
  WatchOptions wo;
  wo.resource_version = rv;
  wo.label_selector = options_.label_selector;
  wo.field_selector = options_.field_selector;
  wo.timeout_seconds = options_.watch_timeout_seconds;
  auto on_event = [&](WatchEvent& ev) {
    if (options_.transform && ev.type != "BOOKMARK") options_.transform(ev.object);
    std::string obj_rv;
    if (auto m = ev.object.find("metadata"); m != ev.object.end() && m->is_object()) {
      obj_rv = m->value("resourceVersion", "");
    }
    std::optional<CacheDelta> delta;
    if (ev.type == "ADDED" || ev.type == "MODIFIED") {
      delta = cache_.Upsert(std::move(ev.object));
    } else if (ev.type == "DELETED") {
      delta = cache_.Remove(ev.object);
    }
    if (delta) on_delta(*delta);
    machine_.OnEvent(obj_rv);
    return true;
  };
  ApiResult<WatchEnd> end =
      client_->Watch(options_.resource, options_.namespace_, wo, on_event, cancel);
  if (cancel.cancelled()) return;
  if (end.ok()) {
    machine_.OnStreamClosed();
    Restarted("server_closed");
    return;
  }
  {
    std::lock_guard lock(error_mu_);
    last_error_ = end.error().ToString();
  }
  Restarted(end.error().http_status == 410 ? "gone" : "error");
  Log().Info("watch ended", {{"resource", options_.resource.QualifiedName()},
                             {"resourceVersion", rv},
                             {"error", end.error().ToString()}});
  machine_.OnWatchFailed(end.error(), clock_->SteadyNow());
}

}  // namespace kubeheal::kube
