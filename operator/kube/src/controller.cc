#include "kubeheal/kube/controller.h"

#include "kubeheal/common/enum_names.h"
#include "kubeheal/common/logger.h"
#include "kubeheal/kube/kube_metrics.h"

namespace kubeheal::kube {

namespace {

constexpr EnumNameTable<ReconcileResult::Kind, 4> kKindNames{
    {{ReconcileResult::Kind::kDone, "done"},
     {ReconcileResult::Kind::kRequeueAfter, "requeue_after"},
     {ReconcileResult::Kind::kRetryableError, "retryable_error"},
     {ReconcileResult::Kind::kTerminalError, "terminal_error"}}};

}  // namespace

std::string_view ToString(ReconcileResult::Kind k) { return NameOf(kKindNames, k, "?"); }

Controller::Controller(std::string name, std::shared_ptr<WorkQueue> queue, Reconciler reconciler,
                       int workers, std::shared_ptr<Clock> clock,
                       std::shared_ptr<KubeMetrics> metrics)
    : name_(std::move(name)),
      queue_(std::move(queue)),
      reconciler_(std::move(reconciler)),
      workers_(workers < 1 ? 1 : workers),
      clock_(std::move(clock)),
      metrics_(std::move(metrics)) {
  if (metrics_) metrics_->DeclareController(name_);
}

Controller::~Controller() { Stop(); }

void Controller::ApplyResult(WorkQueue& queue, const std::string& key, const ReconcileResult& r) {
  switch (r.kind) {
    case ReconcileResult::Kind::kDone:
      queue.Forget(key);
      break;
    case ReconcileResult::Kind::kRequeueAfter:
      queue.Forget(key);
      queue.AddAfter(key, r.requeue_after);
      break;
    case ReconcileResult::Kind::kRetryableError:
      queue.AddRateLimited(key);
      break;
    case ReconcileResult::Kind::kTerminalError:
      queue.Forget(key);
      break;
  }
}

void Controller::Process(const std::string& key) {
  const auto start = clock_->SteadyNow();
  ReconcileResult result;
  try {
    result = reconciler_(key);
  } catch (const std::exception& e) {
    // A reconciler must return errors as values; an escaped exception is a bug, retried.
    result = ReconcileResult::FromError(
        Error::Retryable("ReconcilerException", std::string("reconciler threw: ") + e.what()));
  }
  const double seconds = std::chrono::duration<double>(clock_->SteadyNow() - start).count();
  if (metrics_) metrics_->ReconcileDone(name_, std::string(ToString(result.kind)), seconds);
  if (result.error) {
    const bool terminal = result.kind == ReconcileResult::Kind::kTerminalError;
    Log().Log(terminal ? LogLevel::kError : LogLevel::kWarn, "reconcile failed",
              {{"controller", name_},
               {"key", key},
               {"terminal", terminal},
               {"requeues", queue_->NumRequeues(key)},
               {"error", result.error->ToString()}});
  }
  ApplyResult(*queue_, key, result);
  queue_->Done(key);
}

bool Controller::ProcessNext(std::chrono::nanoseconds timeout) {
  auto key = queue_->TryGet(timeout);
  if (!key) return false;
  Process(*key);
  return true;
}

void Controller::Work() {
  while (auto key = queue_->Get()) Process(*key);
}

void Controller::Start() {
  if (!threads_.empty()) return;
  for (int i = 0; i < workers_; ++i) threads_.emplace_back([this] { Work(); });
}

void Controller::Stop() {
  queue_->ShutDown();
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
  threads_.clear();
}

}  // namespace kubeheal::kube
