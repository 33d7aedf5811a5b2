#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "kubeheal/common/clock.h"
#include "kubeheal/kube/client.h"

namespace kubeheal::kube {

// Writes core/v1 Events about objects, aggregating repeats: the same (object, type, reason,
// message) within the aggregation window bumps `count` and `lastTimestamp` of the existing
// Event (a merge patch) instead of creating a new one, as kubectl describe expects.
// Record() is synchronous (one API call) and thread-safe.
class EventRecorder {
 public:
  EventRecorder(std::shared_ptr<Client> client, std::shared_ptr<Clock> clock, std::string component,
                std::string host = "", std::chrono::seconds window = std::chrono::minutes(10));

  // `involved`: the object itself (apiVersion, kind, metadata.namespace/name/uid are read).
  // `type`: "Normal" or "Warning". Returns the Event as stored.
  ApiResult<Json> Record(const Json& involved, const std::string& type, const std::string& reason,
                         const std::string& message);

 private:
  struct Seen {
    std::string name;
    std::string ns;
    int count = 0;
    std::chrono::steady_clock::time_point last;
  };

  std::shared_ptr<Client> client_;
  std::shared_ptr<Clock> clock_;
  std::string component_;
  std::string host_;
  std::chrono::seconds window_;
  std::mutex mu_;
  std::unordered_map<std::string, Seen> seen_;  // bounded: pruned of entries past the window
};

}  // namespace kubeheal::kube
