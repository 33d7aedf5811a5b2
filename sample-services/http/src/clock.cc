#include "kubeheal/sample_http/clock.h"

#include <thread>

namespace kubeheal::samples {

// The one place the sample services read the real clock.
Clock::TimePoint SteadyClock::Now() const { return std::chrono::steady_clock::now(); }

void SteadyClock::SleepUntil(TimePoint when) { std::this_thread::sleep_until(when); }

}  // namespace kubeheal::samples
