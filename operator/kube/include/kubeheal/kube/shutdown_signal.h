#pragma once

#include <thread>

#include "kubeheal/kube/cancel_token.h"

namespace kubeheal::kube {

// Turns SIGTERM and SIGINT into CancelToken::Cancel(), so a pod's shutdown reaches the
// leader elector (which then releases its Lease), informers and controllers. The signal
// handler only writes a byte to a pipe (async-signal-safe); a watcher thread owned by this
// object does the cancelling. One instance per process; it restores the previous handlers
// when destroyed.
class ShutdownSignal {
 public:
  explicit ShutdownSignal(CancelToken& token);
  ~ShutdownSignal();
  ShutdownSignal(const ShutdownSignal&) = delete;
  ShutdownSignal& operator=(const ShutdownSignal&) = delete;

  // The signal that fired (0 if none yet).
  int received() const;

 private:
  CancelToken& token_;
  std::thread watcher_;
};

}  // namespace kubeheal::kube
