#include "kubeheal/agent/fault_type.h"

namespace kubeheal::agent {

std::string_view faultTypeName(FaultType type) {
  switch (type) {
    case FaultType::kLatency:
      return "latency";
    case FaultType::kHttpError:
      return "httpError";
    case FaultType::kAbort:
      return "abort";
    case FaultType::kHang:
      return "hang";
    case FaultType::kTrafficDrop:
      return "trafficDrop";
    case FaultType::kCpuBurn:
      return "cpuBurn";
    case FaultType::kMemoryLeak:
      return "memoryLeak";
    case FaultType::kCrash:
      return "crash";
  }
  return "unknown";
}

std::optional<FaultType> parseFaultType(std::string_view name) {
  for (FaultType type : kAllFaultTypes) {
    if (faultTypeName(type) == name) return type;
  }
  return std::nullopt;
}

bool isDataPathFault(FaultType type) {
  return type == FaultType::kLatency || type == FaultType::kHttpError ||
         type == FaultType::kAbort || type == FaultType::kHang || type == FaultType::kTrafficDrop;
}

bool isRequestFault(FaultType type) {
  return isDataPathFault(type) && type != FaultType::kTrafficDrop;
}

}  // namespace kubeheal::agent
