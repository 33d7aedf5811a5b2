#include "kubeheal/agent/fault_type.h"

#include "kubeheal/common/enum_names.h"

namespace kubeheal::agent {
namespace {

constexpr EnumNameTable<FaultType, kFaultTypeCount> kFaultTypeNames{{
    {FaultType::kLatency, "latency"},
    {FaultType::kHttpError, "httpError"},
    {FaultType::kAbort, "abort"},
    {FaultType::kHang, "hang"},
    {FaultType::kTrafficDrop, "trafficDrop"},
    {FaultType::kCpuBurn, "cpuBurn"},
    {FaultType::kMemoryLeak, "memoryLeak"},
    {FaultType::kCrash, "crash"},
}};

}  // namespace

std::string_view faultTypeName(FaultType type) { return NameOf(kFaultTypeNames, type); }

std::optional<FaultType> parseFaultType(std::string_view name) {
  return ParseName(kFaultTypeNames, name);
}

bool isDataPathFault(FaultType type) {
  return type == FaultType::kLatency || type == FaultType::kHttpError ||
         type == FaultType::kAbort || type == FaultType::kHang || type == FaultType::kTrafficDrop;
}

bool isRequestFault(FaultType type) {
  return isDataPathFault(type) && type != FaultType::kTrafficDrop;
}

}  // namespace kubeheal::agent
