#include "kubeheal/agent/real_time_source.h"

namespace kubeheal::agent {

std::chrono::steady_clock::time_point RealTimeSource::steadyNow() const {
  return std::chrono::steady_clock::now();
}

std::chrono::system_clock::time_point RealTimeSource::systemNow() const {
  return std::chrono::system_clock::now();
}

}  // namespace kubeheal::agent
