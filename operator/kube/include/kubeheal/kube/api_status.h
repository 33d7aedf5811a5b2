#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "kubeheal/common/error.h"

namespace kubeheal::kube {

// One entry of Status.details.causes (422 Invalid names each offending field).
struct StatusCause {
  std::string reason;  // e.g. "FieldValueInvalid"
  std::string message;
  std::string field;  // e.g. "metadata.name"
};

// The Kubernetes Status of a failed request, plus what we asked for (verb, resource,
// namespace, name) so that an error always says which request failed, even when the server
// sent no Status body (e.g. a proxy's 502 or a connection reset).
struct ApiStatus {
  int code = 0;         // HTTP status; 0 for transport failures
  std::string reason;   // NotFound, Conflict, AlreadyExists, Expired, Gone, Invalid, Forbidden...
  std::string message;  // the server's message
  std::string details_name, details_group, details_kind;
  std::vector<StatusCause> causes;
  std::optional<std::chrono::seconds> retry_after;  // Retry-After header or details

  std::string verb;      // get, list, watch, create, update, patch, apply, delete, evict
  std::string resource;  // qualified: "deployments.apps"
  std::string subresource;
  std::string namespace_;
  std::string name;
};

// Builds the ApiStatus of a non-2xx response from its body (a Status object, or anything else)
// and its Retry-After header. `request` carries verb/resource/namespace/name already.
ApiStatus ParseApiStatus(int http_status, const std::string& body, const std::string& retry_after,
                         ApiStatus request);

// The one mapping from a Kubernetes failure to kubeheal's retryable/terminal split:
// retryable: transport failures, 409 Conflict, 410 Gone (re-list), 429, 5xx, 504;
// terminal: 400, 401, 403, 404, 405, 409 AlreadyExists, 422 and anything else 4xx.
// Error.code is the Status reason; the message names verb, resource, namespace and name.
Error ToError(const ApiStatus& status);

// A human sentence: "forbidden: list configmaps in namespace \"a\": <server message>".
std::string Describe(const ApiStatus& status);

}  // namespace kubeheal::kube
