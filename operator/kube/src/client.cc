#include "kubeheal/kube/client.h"

#include <cstdio>

#include "kubeheal/common/enum_names.h"
#include "kubeheal/kube/kube_metrics.h"

namespace kubeheal::kube {
namespace {

void AddParam(std::string& query, const std::string& key, const std::string& value) {
  if (value.empty()) return;
  query += query.empty() ? "?" : "&";
  query += key + "=" + EscapeQueryValue(value);
}

ApiStatus RequestStatus(const std::string& verb, const GroupVersionResource& r,
                        const std::string& ns, const std::string& name,
                        const std::string& subresource) {
  ApiStatus s;
  s.verb = verb;
  s.resource = r.QualifiedName();
  s.subresource = subresource;
  s.namespace_ = r.namespaced ? ns : "";
  s.name = name;
  return s;
}

ApiError TransportFailure(ApiStatus s, const Error& e) {
  s.code = 0;
  s.reason = e.code == "Cancelled" ? "Cancelled" : "Transport";
  s.message = e.message;
  return ApiError::From(std::move(s));
}

constexpr EnumNameTable<PatchType, 3> kPatchContentTypes{
    {{PatchType::kMerge, "application/merge-patch+json"},
     {PatchType::kJson, "application/json-patch+json"},
     {PatchType::kStrategicMerge, "application/strategic-merge-patch+json"}}};

std::string NameOf(const Json& body) {
  auto m = body.find("metadata");
  if (m == body.end() || !m->is_object()) return "";
  auto n = m->find("name");
  return n != m->end() && n->is_string() ? n->get<std::string>() : "";
}

}  // namespace

std::string EscapeQueryValue(const std::string& value) {
  std::string out;
  for (unsigned char c : value) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      out += buf;
    }
  }
  return out;
}

Client::Client(std::shared_ptr<HttpTransport> transport, std::shared_ptr<KubeMetrics> metrics)
    : transport_(std::move(transport)), metrics_(std::move(metrics)) {}

void Client::Count(const std::string& verb, int code) {
  if (metrics_) metrics_->RequestDone(verb, code);
}

ApiResult<Json> Client::Exchange(const std::string& verb, const GroupVersionResource& r,
                                 const std::string& ns, const std::string& name,
                                 const std::string& subresource, const HttpRequest& request) {
  ApiStatus req_status = RequestStatus(verb, r, ns, name, subresource);
  Result<HttpResponse> response = transport_->Send(request);
  if (!response.ok()) {
    Count(verb, 0);
    return TransportFailure(std::move(req_status), response.error());
  }
  Count(verb, response->status);
  if (response->status < 200 || response->status >= 300) {
    return ApiError::From(ParseApiStatus(response->status, response->body,
                                         response->Header("retry-after"), std::move(req_status)));
  }
  Json body = Json::parse(response->body, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded()) {
    req_status.code = response->status;
    req_status.reason = "InvalidResponse";
    req_status.message = "response body is not JSON: " + response->body.substr(0, 200);
    return ApiError::From(std::move(req_status));
  }
  return body;
}

ApiResult<Json> Client::Get(const GroupVersionResource& r, const std::string& ns,
                            const std::string& name, const std::string& subresource) {
  HttpRequest req{"GET", r.Path(ns, name, subresource), "", ""};
  return Exchange("get", r, ns, name, subresource, req);
}

ApiResult<ListPage> Client::List(const GroupVersionResource& r, const std::string& ns,
                                 const ListOptions& o) {
  std::string query;
  AddParam(query, "labelSelector", o.label_selector);
  AddParam(query, "fieldSelector", o.field_selector);
  AddParam(query, "resourceVersion", o.resource_version);
  if (o.limit > 0) AddParam(query, "limit", std::to_string(o.limit));
  AddParam(query, "continue", o.continue_token);
  HttpRequest req{"GET", r.Path(ns) + query, "", ""};
  ApiResult<Json> body = Exchange("list", r, ns, "", "", req);
  if (!body.ok()) return body.api_error();
  ListPage page;
  if (auto items = body->find("items"); items != body->end() && items->is_array()) {
    page.items = std::move(*items);
  }
  if (auto meta = body->find("metadata"); meta != body->end() && meta->is_object()) {
    page.resource_version = meta->value("resourceVersion", "");
    page.continue_token = meta->value("continue", "");
  }
  return page;
}

ApiResult<ListPage> Client::ListAll(const GroupVersionResource& r, const std::string& ns,
                                    ListOptions options) {
  ListPage all;
  while (true) {
    ApiResult<ListPage> page = List(r, ns, options);
    if (!page.ok()) return page;
    for (auto& item : page->items) all.items.push_back(std::move(item));
    all.resource_version = page->resource_version;
    if (page->continue_token.empty()) break;
    options.continue_token = page->continue_token;
    // A continued list must not also pin a resourceVersion; the token carries it.
    options.resource_version.clear();
  }
  return all;
}

ApiResult<Json> Client::Create(const GroupVersionResource& r, const std::string& ns,
                               const Json& body) {
  HttpRequest req{"POST", r.Path(ns), body.dump(), "application/json"};
  return Exchange("create", r, ns, NameOf(body), "", req);
}

ApiResult<Json> Client::Update(const GroupVersionResource& r, const std::string& ns,
                               const Json& body, const std::string& subresource) {
  const std::string name = NameOf(body);
  HttpRequest req{"PUT", r.Path(ns, name, subresource), body.dump(), "application/json"};
  return Exchange("update", r, ns, name, subresource, req);
}

ApiResult<Json> Client::Delete(const GroupVersionResource& r, const std::string& ns,
                               const std::string& name, const DeleteOptions& o) {
  Json body = {{"apiVersion", "v1"}, {"kind", "DeleteOptions"}};
  if (!o.propagation_policy.empty()) body["propagationPolicy"] = o.propagation_policy;
  if (o.grace_period_seconds) body["gracePeriodSeconds"] = *o.grace_period_seconds;
  if (!o.precondition_resource_version.empty()) {
    body["preconditions"]["resourceVersion"] = o.precondition_resource_version;
  }
  if (!o.precondition_uid.empty()) body["preconditions"]["uid"] = o.precondition_uid;
  HttpRequest req{"DELETE", r.Path(ns, name), body.dump(), "application/json"};
  return Exchange("delete", r, ns, name, "", req);
}

ApiResult<Json> Client::DeleteCollection(const GroupVersionResource& r, const std::string& ns,
                                         const ListOptions& o) {
  std::string query;
  AddParam(query, "labelSelector", o.label_selector);
  AddParam(query, "fieldSelector", o.field_selector);
  HttpRequest req{"DELETE", r.Path(ns) + query, "", ""};
  return Exchange("deletecollection", r, ns, "", "", req);
}

ApiResult<Json> Client::Patch(const GroupVersionResource& r, const std::string& ns,
                              const std::string& name, PatchType type, const Json& patch,
                              const std::string& subresource) {
  HttpRequest req{
      "PATCH", r.Path(ns, name, subresource), patch.dump(),
      std::string(kubeheal::NameOf(kPatchContentTypes, type, "application/merge-patch+json"))};
  return Exchange("patch", r, ns, name, subresource, req);
}

ApiResult<Json> Client::Apply(const GroupVersionResource& r, const std::string& ns,
                              const Json& object, const std::string& field_manager, bool force,
                              const std::string& subresource) {
  const std::string name = NameOf(object);
  std::string query;
  AddParam(query, "fieldManager", field_manager);
  if (force) AddParam(query, "force", "true");
  // JSON is YAML, so the apply content type takes the JSON dump as is.
  HttpRequest req{"PATCH", r.Path(ns, name, subresource) + query, object.dump(),
                  "application/apply-patch+yaml"};
  return Exchange("apply", r, ns, name, subresource, req);
}

ApiResult<Json> Client::SetReplicas(const GroupVersionResource& r, const std::string& ns,
                                    const std::string& name, int replicas) {
  return Patch(r, ns, name, PatchType::kMerge, Json{{"spec", {{"replicas", replicas}}}}, "scale");
}

ApiResult<Json> Client::Evict(const std::string& ns, const std::string& pod,
                              std::optional<int> grace_period_seconds) {
  Json body = {{"apiVersion", "policy/v1"},
               {"kind", "Eviction"},
               {"metadata", {{"name", pod}, {"namespace", ns}}}};
  if (grace_period_seconds) body["deleteOptions"]["gracePeriodSeconds"] = *grace_period_seconds;
  const auto pods = GroupVersionResource::Pods();
  HttpRequest req{"POST", pods.Path(ns, pod, "eviction"), body.dump(), "application/json"};
  return Exchange("evict", pods, ns, pod, "eviction", req);
}

ApiResult<WatchEnd> Client::Watch(const GroupVersionResource& r, const std::string& ns,
                                  const WatchOptions& o,
                                  const std::function<bool(WatchEvent&)>& on_event,
                                  CancelToken& cancel) {
  std::string query = "?watch=true";
  if (!o.resource_version.empty())
    query += "&resourceVersion=" + EscapeQueryValue(o.resource_version);
  if (!o.label_selector.empty()) query += "&labelSelector=" + EscapeQueryValue(o.label_selector);
  if (!o.field_selector.empty()) query += "&fieldSelector=" + EscapeQueryValue(o.field_selector);
  if (o.allow_bookmarks) query += "&allowWatchBookmarks=true";
  if (o.timeout_seconds > 0) query += "&timeoutSeconds=" + std::to_string(o.timeout_seconds);
  HttpRequest req{"GET", r.Path(ns) + query, "", ""};
  ApiStatus req_status = RequestStatus("watch", r, ns, "", "");

  std::optional<ApiError> stream_error;
  bool handler_stopped = false;
  auto on_line = [&](std::string_view line) -> bool {
    if (line.empty() || line == "\r") return true;
    Json j = Json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (!j.is_object() || !j.contains("type") || !j["type"].is_string()) {
      ApiStatus s = req_status;
      s.code = 200;
      s.reason = "InvalidWatchEvent";
      s.message = "watch line is not an event: " + std::string(line.substr(0, 200));
      stream_error = ApiError::From(std::move(s));
      return false;
    }
    WatchEvent ev{j["type"].get<std::string>(), std::move(j["object"])};
    if (ev.type == "ERROR") {
      const int code = ev.object.value("code", 500);
      stream_error = ApiError::From(ParseApiStatus(code, ev.object.dump(), "", req_status));
      return false;
    }
    if (!on_event(ev)) {
      handler_stopped = true;
      return false;
    }
    return true;
  };
  Result<HttpResponse> response = transport_->Stream(req, on_line, cancel);
  if (!response.ok()) {
    Count("watch", 0);
    return TransportFailure(std::move(req_status), response.error());
  }
  Count("watch", response->status);
  if (response->status != 200) {
    return ApiError::From(ParseApiStatus(response->status, response->body,
                                         response->Header("retry-after"), std::move(req_status)));
  }
  if (stream_error) return *stream_error;
  if (handler_stopped) return WatchEnd::kHandlerStopped;
  if (cancel.cancelled()) {
    return TransportFailure(std::move(req_status), Error::Terminal("Cancelled", "watch cancelled"));
  }
  return WatchEnd::kServerClosed;
}

}  // namespace kubeheal::kube
