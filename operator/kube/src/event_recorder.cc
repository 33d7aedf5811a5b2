#include "kubeheal/kube/event_recorder.h"

#include <cstdio>

namespace kubeheal::kube {
namespace {
constexpr size_t kMaxRemembered = 4096;
}

EventRecorder::EventRecorder(std::shared_ptr<Client> client, std::shared_ptr<Clock> clock,
                             std::string component, std::string host, std::chrono::seconds window)
    : client_(std::move(client)),
      clock_(std::move(clock)),
      component_(std::move(component)),
      host_(std::move(host)),
      window_(window) {}

ApiResult<Json> EventRecorder::Record(const Json& involved, const std::string& type,
                                      const std::string& reason, const std::string& message) {
  const Json meta = involved.value("metadata", Json::object());
  const std::string obj_ns = meta.value("namespace", "");
  const std::string ns = obj_ns.empty() ? "default" : obj_ns;
  const std::string obj_name = meta.value("name", "");
  const std::string kind = involved.value("kind", "");
  const std::string uid = meta.value("uid", "");
  const std::string key = ns + "\x1f" + kind + "\x1f" + obj_name + "\x1f" + uid + "\x1f" + type +
                          "\x1f" + reason + "\x1f" + message;
  const auto steady_now = clock_->SteadyNow();
  const std::string now = FormatRfc3339(clock_->Now());
  const auto events = GroupVersionResource::Events();

  std::lock_guard lock(mu_);  // serialises per recorder so a repeat never races its create
  auto it = seen_.find(key);
  if (it != seen_.end() && steady_now - it->second.last <= window_) {
    Seen& s = it->second;
    Json patch = {{"count", s.count + 1}, {"lastTimestamp", now}};
    ApiResult<Json> patched = client_->Patch(events, s.ns, s.name, PatchType::kMerge, patch);
    if (patched.ok()) {
      ++s.count;
      s.last = steady_now;
      return patched;
    }
    if (!IsNotFound(patched.error())) return patched;
    seen_.erase(it);  // the Event expired server-side: start a new one
  }
  if (seen_.size() >= kMaxRemembered) {
    for (auto e = seen_.begin(); e != seen_.end();) {
      e = steady_now - e->second.last > window_ ? seen_.erase(e) : std::next(e);
    }
    if (seen_.size() >= kMaxRemembered) seen_.clear();
  }
  char suffix[24];
  std::snprintf(suffix, sizeof suffix, "%llx",
                static_cast<unsigned long long>(clock_->Now().time_since_epoch().count()));
  const std::string name = (obj_name.empty() ? std::string("event") : obj_name) + "." + suffix;
  Json involved_ref = {
      {"apiVersion", involved.value("apiVersion", "")}, {"kind", kind}, {"name", obj_name}};
  if (!obj_ns.empty()) involved_ref["namespace"] = obj_ns;
  if (!uid.empty()) involved_ref["uid"] = uid;
  if (meta.contains("resourceVersion")) involved_ref["resourceVersion"] = meta["resourceVersion"];
  Json event = {{"apiVersion", "v1"},
                {"kind", "Event"},
                {"metadata", {{"name", name}, {"namespace", ns}}},
                {"involvedObject", involved_ref},
                {"type", type},
                {"reason", reason},
                {"message", message},
                {"count", 1},
                {"firstTimestamp", now},
                {"lastTimestamp", now},
                {"source", {{"component", component_}}}};
  if (!host_.empty()) event["source"]["host"] = host_;
  ApiResult<Json> created = client_->Create(events, ns, event);
  if (created.ok()) seen_[key] = Seen{name, ns, 1, steady_now};
  return created;
}

}  // namespace kubeheal::kube
