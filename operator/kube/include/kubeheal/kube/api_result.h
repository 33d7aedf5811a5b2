#pragma once

#include <utility>

#include "kubeheal/common/result.h"
#include "kubeheal/kube/api_status.h"

namespace kubeheal::kube {

// A failed API call: the kubeheal::Error the controllers act on, and the full Status behind it
// (causes, Retry-After, the request's verb/resource/namespace) for those who need detail.
struct ApiError {
  Error error;
  ApiStatus status;

  static ApiError From(ApiStatus s) {
    Error e = ToError(s);
    return ApiError{std::move(e), std::move(s)};
  }
};

// Result<T> with the Kubernetes Status kept: `error()` is the same kubeheal::Error a Result
// would hold; `status()` adds the details. Converts to Result<T> at library boundaries.
template <typename T>
class [[nodiscard]] ApiResult : public Result<T, ApiError> {
  using Base = Result<T, ApiError>;

 public:
  using Base::Base;

  const Error& error() const { return Base::error().error; }
  const ApiStatus& status() const { return Base::error().status; }
  const ApiError& api_error() const { return Base::error(); }
  int code() const { return this->ok() ? 200 : status().code; }

  Result<T> ToResult() && {
    if (this->ok()) return Result<T>(std::move(*this).value());
    return Result<T>(error());
  }
};

// Predicates that read like client-go's apierrors.Is*.
inline bool IsNotFound(const Error& e) { return e.http_status == 404; }
inline bool IsConflict(const Error& e) { return e.http_status == 409 && e.code == "Conflict"; }
inline bool IsAlreadyExists(const Error& e) {
  return e.http_status == 409 && e.code == "AlreadyExists";
}
inline bool IsGone(const Error& e) { return e.http_status == 410; }
inline bool IsForbidden(const Error& e) { return e.http_status == 403; }
inline bool IsInvalid(const Error& e) { return e.http_status == 422; }
inline bool IsTooManyRequests(const Error& e) { return e.http_status == 429; }

}  // namespace kubeheal::kube
