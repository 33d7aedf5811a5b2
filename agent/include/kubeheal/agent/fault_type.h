#pragma once

#include <array>
#include <optional>
#include <string_view>

namespace kubeheal::agent {

enum class FaultType {
  kLatency,
  kHttpError,
  kAbort,
  kHang,
  kTrafficDrop,
  kCpuBurn,
  kMemoryLeak,
  kCrash,
};

inline constexpr std::size_t kFaultTypeCount = 8;

inline constexpr std::array<FaultType, kFaultTypeCount> kAllFaultTypes = {
    FaultType::kLatency,     FaultType::kHttpError, FaultType::kAbort,      FaultType::kHang,
    FaultType::kTrafficDrop, FaultType::kCpuBurn,   FaultType::kMemoryLeak, FaultType::kCrash};

// The name used in the admin API and in metric labels.
std::string_view faultTypeName(FaultType type);
std::optional<FaultType> parseFaultType(std::string_view name);
// Faults that act on requests or connections (as opposed to the whole process).
bool isDataPathFault(FaultType type);
// Faults that may carry a match rule (they see a request).
bool isRequestFault(FaultType type);

}  // namespace kubeheal::agent
