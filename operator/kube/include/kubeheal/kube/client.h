#pragma once

#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "kubeheal/kube/api_result.h"
#include "kubeheal/kube/cancel_token.h"
#include "kubeheal/kube/group_version_resource.h"
#include "kubeheal/kube/http_transport.h"

namespace kubeheal::kube {

class KubeMetrics;
using Json = nlohmann::json;

struct ListOptions {
  std::string label_selector;
  std::string field_selector;
  std::string resource_version;  // "" = consistent read; "0" = any (from the watch cache)
  int limit = 0;                 // page size; 0 = server default (no paging)
  std::string continue_token;
};

struct ListPage {
  Json items = Json::array();
  std::string resource_version;
  std::string continue_token;
};

struct WatchOptions {
  std::string resource_version;
  std::string label_selector;
  std::string field_selector;
  bool allow_bookmarks = true;
  int timeout_seconds = 300;  // the server ends the stream after this; 0 = server default
};

// One watch event. type: ADDED, MODIFIED, DELETED, BOOKMARK (ERROR events end the watch and
// come back as the Watch call's error instead).
struct WatchEvent {
  std::string type;
  Json object;
};

enum class WatchEnd {
  kServerClosed,    // the server ended the stream (timeoutSeconds elapsed): resume from rv
  kHandlerStopped,  // the handler returned false
};

enum class PatchType { kMerge, kJson, kStrategicMerge };

struct DeleteOptions {
  std::string propagation_policy;  // "", Foreground, Background, Orphan
  std::optional<int> grace_period_seconds;
  std::string precondition_resource_version;
  std::string precondition_uid;
};

// A Kubernetes REST client over an HttpTransport, addressing any resource by
// GroupVersionResource with JSON bodies. Every failure is an ApiError value (never an
// exception) carrying the Kubernetes Status. Thread-safe: holds no mutable state besides the
// transport and the metrics, both thread-safe.
class Client {
 public:
  explicit Client(std::shared_ptr<HttpTransport> transport,
                  std::shared_ptr<KubeMetrics> metrics = nullptr);

  ApiResult<Json> Get(const GroupVersionResource& r, const std::string& ns, const std::string& name,
                      const std::string& subresource = "");
  ApiResult<ListPage> List(const GroupVersionResource& r, const std::string& ns,
                           const ListOptions& options = {});
  // Follows `continue` until the last page; items of all pages, resourceVersion of the list.
  ApiResult<ListPage> ListAll(const GroupVersionResource& r, const std::string& ns,
                              ListOptions options = {});
  ApiResult<Json> Create(const GroupVersionResource& r, const std::string& ns, const Json& body);
  // PUT; the name comes from body.metadata.name; subresource "status" or "scale" allowed.
  ApiResult<Json> Update(const GroupVersionResource& r, const std::string& ns, const Json& body,
                         const std::string& subresource = "");
  ApiResult<Json> UpdateStatus(const GroupVersionResource& r, const std::string& ns,
                               const Json& body) {
    return Update(r, ns, body, "status");
  }
  ApiResult<Json> Delete(const GroupVersionResource& r, const std::string& ns,
                         const std::string& name, const DeleteOptions& options = {});
  // DELETE on the collection: every object matching `options` (label/field selector).
  ApiResult<Json> DeleteCollection(const GroupVersionResource& r, const std::string& ns,
                                   const ListOptions& options = {});
  ApiResult<Json> Patch(const GroupVersionResource& r, const std::string& ns,
                        const std::string& name, PatchType type, const Json& patch,
                        const std::string& subresource = "");
  // Server-side apply of `object` (a partial object with apiVersion/kind/metadata.name).
  ApiResult<Json> Apply(const GroupVersionResource& r, const std::string& ns, const Json& object,
                        const std::string& field_manager, bool force = false,
                        const std::string& subresource = "");
  // The scale subresource (autoscaling/v1 Scale).
  ApiResult<Json> GetScale(const GroupVersionResource& r, const std::string& ns,
                           const std::string& name) {
    return Get(r, ns, name, "scale");
  }
  ApiResult<Json> SetReplicas(const GroupVersionResource& r, const std::string& ns,
                              const std::string& name, int replicas);
  // POST pods/<name>/eviction (policy/v1); 429 when a PodDisruptionBudget forbids it.
  ApiResult<Json> Evict(const std::string& ns, const std::string& pod,
                        std::optional<int> grace_period_seconds = std::nullopt);

  // Streams watch events to `on_event` (which may take the object out of the event) until the
  // server ends the stream, the handler returns false, or `cancel` fires (error code "Cancelled").
  // An ERROR event (e.g. 410 Gone for a too-old resourceVersion) ends the watch and is returned as
  // the error.
  ApiResult<WatchEnd> Watch(const GroupVersionResource& r, const std::string& ns,
                            const WatchOptions& options,
                            const std::function<bool(WatchEvent&)>& on_event, CancelToken& cancel);

  HttpTransport& transport() { return *transport_; }

 private:
  ApiResult<Json> Exchange(const std::string& verb, const GroupVersionResource& r,
                           const std::string& ns, const std::string& name,
                           const std::string& subresource, const HttpRequest& request);
  void Count(const std::string& verb, int code);

  std::shared_ptr<HttpTransport> transport_;
  std::shared_ptr<KubeMetrics> metrics_;
};

// Percent-encodes a query parameter value.
std::string EscapeQueryValue(const std::string& value);

}  // namespace kubeheal::kube
