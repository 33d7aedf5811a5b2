#pragma once

#include <cassert>
#include <utility>
#include <variant>

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
class [[nodiscard]] ApiResult {
 public:
  ApiResult(T value) : v_(std::move(value)) {}         // NOLINT(google-explicit-constructor)
  ApiResult(ApiError error) : v_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() & {
    assert(ok());
    return std::get<0>(v_);
  }
  const T& value() const& {
    assert(ok());
    return std::get<0>(v_);
  }
  T&& value() && {
    assert(ok());
    return std::get<0>(std::move(v_));
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  const Error& error() const {
    assert(!ok());
    return std::get<1>(v_).error;
  }
  const ApiStatus& status() const {
    assert(!ok());
    return std::get<1>(v_).status;
  }
  const ApiError& api_error() const {
    assert(!ok());
    return std::get<1>(v_);
  }
  int code() const { return ok() ? 200 : status().code; }

  Result<T> ToResult() && {
    if (ok()) return Result<T>(std::get<0>(std::move(v_)));
    return Result<T>(std::get<1>(v_).error);
  }

 private:
  std::variant<T, ApiError> v_;
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
