#pragma once

#include "kubeheal/common/process_stats.h"
#include "kubeheal/kube/process_info_source.h"

namespace kubeheal::kube {

// ProcessInfo from /proc through kubeheal::ReadProcessStats (see there for the files read and
// the errors); `layout` points it at a fixture directory in tests.
class ProcFsProcessInfoSource final : public ProcessInfoSource {
 public:
  explicit ProcFsProcessInfoSource(ProcFsLayout layout = {}) : layout_(std::move(layout)) {}
  Result<ProcessInfo> Read() const override { return ReadProcessStats(layout_); }

 private:
  ProcFsLayout layout_;
};

}  // namespace kubeheal::kube
