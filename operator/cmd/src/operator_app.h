#pragma once

#include <atomic>
#include <memory>
#include <thread>
#include <vector>

#include "kubeheal/common/clock.h"
#include "kubeheal/kube/cancel_token.h"
#include "operator_flags.h"

namespace kubeheal::cmd {

// The operator process: informers on HealingPolicy and FaultScenario objects feed two work
// queues; each queue is drained by a controller whose reconciler is ours. With leader election
// the controllers start only while this process holds the Lease (informers and the health
// endpoints run regardless, so a standby is warm and observable).
//
// Threads: Run() blocks the calling thread until `stop` fires or leadership is lost; informers,
// controllers and HTTP listeners own their threads and are stopped by Run() before it returns.
class OperatorApp {
 public:
  OperatorApp(OperatorFlags flags, std::shared_ptr<Clock> clock);
  ~OperatorApp();

  // Builds every part; errors name what could not be set up (kubeconfig, URL, token file).
  Status Init();
  // Returns 0 on a clean shutdown, 1 when leadership was lost (so the pod restarts).
  int Run(kube::CancelToken& stop);

 private:
  struct Parts;
  OperatorFlags flags_;
  std::vector<std::string> apiserver_hosts_;  // refused as alert webhook targets
  std::shared_ptr<Clock> clock_;
  std::unique_ptr<Parts> parts_;
};

}  // namespace kubeheal::cmd
