#pragma once

#include <chrono>
#include <optional>
#include <string_view>

#include "kubeheal/common/error.h"

namespace kubeheal::kube {

// What a reconciler tells the controller loop. The loop alone turns this into queue actions.
struct ReconcileResult {
  enum class Kind { kDone, kRequeueAfter, kRetryableError, kTerminalError };
  Kind kind = Kind::kDone;
  std::chrono::nanoseconds requeue_after{0};
  std::optional<Error> error;

  static ReconcileResult Done() { return {}; }
  static ReconcileResult RequeueAfter(std::chrono::nanoseconds d) {
    return {Kind::kRequeueAfter, d, std::nullopt};
  }
  // Retryable errors back off per item; terminal ones are logged and dropped.
  static ReconcileResult FromError(Error e) {
    const Kind k = e.retryable() ? Kind::kRetryableError : Kind::kTerminalError;
    return {k, std::chrono::nanoseconds(0), std::move(e)};
  }
};

std::string_view ToString(ReconcileResult::Kind k);

}  // namespace kubeheal::kube
